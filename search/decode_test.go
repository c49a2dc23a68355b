package search_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/careatlas/careatlas/search"
)

// TestDecodeRecordAsEncodingJSON: every record the bundled catalogue
// stores decodes to the same value with the decoder hits use as with
// encoding/json, which wrote it.
func TestDecodeRecordAsEncodingJSON(t *testing.T) {
	live := bundledIndex(t)
	n := 0
	err := search.EachSource(live.ix, func(src []byte) error {
		var want, got search.Record
		if err := json.Unmarshal(src, &want); err != nil {
			return err
		}
		if err := search.DecodeRecord(src, &got); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("decoded otherwise than encoding/json:\n%s\ngot  %+v\nwant %+v", src, got, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50000 { // the bundled catalogue holds 53,158
		t.Fatalf("%d records compared, want every one of the bundled catalogue's", n)
	}
}

// TestDecodeRecordRefusesWhatEncodingJSONRefuses: a source cut short or
// of the wrong shape is an error, not a record half made.
func TestDecodeRecordRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, src := range []string{``, `{"type":"offer","id":`, `{"id":"seven"}`, `[1,2]`, `{"price":{"amount":"x"}}`, `{"type":"offer"} trailing`} {
		var a, b search.Record
		errStd := json.Unmarshal([]byte(src), &a)
		errOurs := search.DecodeRecord([]byte(src), &b)
		if (errStd == nil) != (errOurs == nil) {
			t.Errorf("%q: encoding/json says %v, decodeRecord %v", src, errStd, errOurs)
		}
		if errOurs == nil {
			t.Errorf("%q: decoded without an error", src)
		}
	}
}
