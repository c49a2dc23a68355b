package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Columns are built from the index's postings (loadColumns), which at a
// million offers takes many seconds: every distinct price is a term whose
// postings must be read. A generation never changes once published, so the
// builder computes them once and writes them beside the index; Open reads
// them back in a fraction of the time. A generation without the file (built
// before it existed) still opens, by building its columns as before.

// columnsFile is the file, inside a generation, holding its columns.
const columnsFile = "careatlas_columns.bin"

// columnsMagic starts the file and names its format's version: a reader
// meeting another refuses the file and builds the columns instead.
const columnsMagic = "careatlas-columns-2\n"

// writeColumns computes the columns of the closed index at path and stores
// them in its columns file.
func writeColumns(path string) error {
	ix, err := openWith(path, false)
	if err != nil {
		return err
	}
	defer ix.Close()
	tmp := filepath.Join(path, columnsFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write columns: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = ix.cols.writeTo(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(path, columnsFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write columns of %s: %w", path, err)
	}
	return nil
}

// readColumns reads the columns file of the generation at path; ok is false
// when it has none.
func readColumns(path string) (_ *columns, ok bool, err error) {
	f, err := os.Open(filepath.Join(path, columnsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read columns: %w", err)
	}
	defer f.Close()
	c, err := readColumnsFrom(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, false, fmt.Errorf("read columns of %s: %w", path, err)
	}
	return c, true, nil
}

func (c *columns) writeTo(w io.Writer) error {
	e := &colWriter{w: w}
	e.bytes([]byte(columnsMagic))
	e.u64(c.docs)
	e.u64(uint64(len(Filters)))
	for _, f := range Filters {
		e.keyword(f.Field, c.keywords[f.Field])
	}
	e.slice(c.price)
	e.slice(c.amount)
	e.keyword(fieldPriceCurrency, c.currency)
	for _, col := range [][]float32{c.rating, c.trust, c.lat, c.lon} {
		e.slice(col)
	}
	e.slice(c.treatmentDoc)
	e.slice(c.facilityDoc)
	return e.err
}

func readColumnsFrom(r io.Reader) (*columns, error) {
	d := &colReader{r: r}
	if magic := d.bytes(len(columnsMagic)); d.err == nil && string(magic) != columnsMagic {
		return nil, fmt.Errorf("not a columns file of this version")
	}
	c := &columns{keywords: map[string]*keywordColumn{}, filters: &filterSets{}, unions: &unionCache{}, treatFacets: &treatmentFacets{}, docs: d.u64()}
	n := d.u64()
	if d.err == nil && n != uint64(len(Filters)) {
		return nil, fmt.Errorf("columns of %d filters, where there are %d", n, len(Filters))
	}
	for _, f := range Filters {
		kc, err := d.keyword(f.Field, c.docs)
		if err != nil {
			return nil, err
		}
		c.keywords[f.Field] = kc
	}
	c.price = readSlice[float64](d)
	c.amount = readSlice[float64](d)
	var err error
	if c.currency, err = d.keyword(fieldPriceCurrency, c.docs); err != nil {
		return nil, err
	}
	for _, col := range []*[]float32{&c.rating, &c.trust, &c.lat, &c.lon} {
		*col = readSlice[float32](d)
	}
	c.treatmentDoc = readSlice[int64](d)
	c.facilityDoc = readSlice[int64](d)
	if d.err != nil {
		return nil, d.err
	}
	for _, col := range [][]float32{c.rating, c.trust, c.lat, c.lon} {
		if uint64(len(col)) != c.docs {
			return nil, fmt.Errorf("a column of %d documents in an index of %d", len(col), c.docs)
		}
	}
	if uint64(len(c.price)) != c.docs || uint64(len(c.amount)) != c.docs {
		return nil, fmt.Errorf("price columns of %d and %d documents in an index of %d", len(c.price), len(c.amount), c.docs)
	}
	c.converts = c.convertible()
	c.orders = newSortOrders(c.rating, c.trust)
	return c, nil
}

// keyword writes keyword column kc of field.
func (e *colWriter) keyword(field string, kc *keywordColumn) {
	e.str(field)
	e.u64(uint64(len(kc.values)))
	for i, v := range kc.values {
		e.str(v)
		if e.err == nil {
			_, e.err = kc.valueBitmap(uint32(i)).WriteTo(e.w)
		}
	}
	e.slice(kc.start)
	e.slice(kc.ords)
}

// keyword reads the keyword column of field, in an index of docs documents.
func (d *colReader) keyword(field string, docs uint64) (*keywordColumn, error) {
	if got := d.str(); d.err == nil && got != field {
		return nil, fmt.Errorf("column %q where %q was expected", got, field)
	}
	kc := &keywordColumn{ordinal: map[string]uint32{}}
	values := d.u64()
	// The values are read into one string and cut from it: a column of
	// every facility's identifier is 100,000 values, and a string each
	// was as many objects for the collector to mark on every cycle.
	var text []byte
	var ends []int
	for i := uint64(0); i < values && d.err == nil; i++ {
		text = append(text, d.str()...)
		ends = append(ends, len(text))
		b := roaring.New()
		if d.err == nil {
			_, d.err = b.ReadFrom(d.r)
		}
		kc.bitmaps = append(kc.bitmaps, b)
	}
	all, from := string(text), 0
	kc.values = make([]string, len(ends))
	for i, end := range ends {
		v := all[from:end]
		from = end
		kc.ordinal[v] = uint32(i)
		kc.values[i] = v
	}
	kc.start = readSlice[uint32](d)
	kc.ords = readSlice[uint32](d)
	if d.err == nil && (uint64(len(kc.start)) != docs+1 || uint64(len(kc.ords)) != uint64(kc.start[docs])) {
		return nil, fmt.Errorf("column %s does not fit an index of %d documents", field, docs)
	}
	if d.err == nil {
		kc.densify()
	}
	return kc, d.err
}

// colWriter writes little-endian values, keeping the first error.
type colWriter struct {
	w   io.Writer
	err error
}

func (e *colWriter) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *colWriter) u64(v uint64) {
	if e.err == nil {
		e.err = binary.Write(e.w, binary.LittleEndian, v)
	}
}

func (e *colWriter) str(s string) {
	e.u64(uint64(len(s)))
	e.bytes([]byte(s))
}

// slice writes a length and the elements of a slice of fixed-size numbers.
func (e *colWriter) slice(v any) {
	if e.err != nil {
		return
	}
	e.u64(uint64(binary.Size(v)))
	if e.err == nil {
		e.err = binary.Write(e.w, binary.LittleEndian, v)
	}
}

// colReader reads what colWriter wrote, keeping the first error.
type colReader struct {
	r   io.Reader
	err error
}

// maxColumnBytes bounds one slice of a columns file, so that a damaged
// length cannot ask for all of memory.
const maxColumnBytes = 1 << 34

func (d *colReader) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	b := make([]byte, n)
	_, d.err = io.ReadFull(d.r, b)
	return b
}

func (d *colReader) u64() uint64 {
	var v uint64
	if d.err == nil {
		d.err = binary.Read(d.r, binary.LittleEndian, &v)
	}
	return v
}

func (d *colReader) str() string {
	n := d.u64()
	if d.err == nil && n > 1<<20 {
		d.err = fmt.Errorf("a value of %d bytes", n)
	}
	return string(d.bytes(int(n)))
}

func readSlice[T uint32 | int64 | float32 | float64](d *colReader) []T {
	size := d.u64()
	if d.err != nil {
		return nil
	}
	var zero T
	elem := uint64(binary.Size(zero))
	if size > maxColumnBytes || size%elem != 0 {
		d.err = fmt.Errorf("a column of %d bytes", size)
		return nil
	}
	out := make([]T, size/elem)
	d.err = binary.Read(d.r, binary.LittleEndian, out)
	return slices.Clip(out)
}
