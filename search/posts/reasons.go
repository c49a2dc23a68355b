package posts

import (
	"math"
	"strconv"
	"strings"
)

// reasons says, one short phrase per targeted dimension the query met, why
// post i matched: "you searched knee replacement", "Turkey", "under €8,000".
func (ix *Index) reasons(i int32, q *Query, termIDs []uint32) []string {
	t := &ix.posts[i].Targeting
	var out []string
	switch {
	case q.Text != "" && (intersects(t.TreatmentIDs, q.TreatmentIDs) || ix.keywordMatch(i, termIDs)):
		out = append(out, "you searched "+q.Text)
	default:
		for _, c := range t.Categories {
			for _, qc := range q.Categories {
				if strings.EqualFold(c, qc) {
					out = append(out, qc)
					break
				}
			}
			if len(out) > 0 {
				break
			}
		}
	}
	if len(t.PatientCountries) > 0 {
		out = append(out, "patients from "+ix.countryName(q.PatientCountry))
	}
	if len(t.FacilityCountries) > 0 {
		for _, c := range q.FacilityCountries {
			if containsString(t.FacilityCountries, c) {
				out = append(out, ix.countryName(c))
				break
			}
		}
	}
	if len(t.Languages) > 0 {
		for _, l := range q.Languages {
			if containsString(t.Languages, l) {
				out = append(out, "in "+languageName(l))
				break
			}
		}
	}
	if t.PriceMaxUSD != nil && q.PriceMax != nil {
		out = append(out, "under "+formatMoney(*q.PriceMax, q.Currency))
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (ix *Index) countryName(code string) string {
	if n := ix.countries[code]; n != "" {
		return n
	}
	return code
}

var languageNames = map[string]string{
	"en": "English", "es": "Spanish", "fr": "French", "de": "German", "tr": "Turkish", "ar": "Arabic",
	"hi": "Hindi", "ru": "Russian", "it": "Italian", "pt": "Portuguese", "zh": "Chinese", "th": "Thai",
	"ko": "Korean", "ja": "Japanese", "pl": "Polish", "nl": "Dutch", "el": "Greek", "he": "Hebrew",
}

func languageName(code string) string {
	if n := languageNames[code]; n != "" {
		return n
	}
	return code
}

var currencySymbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "TRY": "₺", "JPY": "¥"}

// formatMoney writes an amount for people: "€8,000", "12,500.50 AED".
func formatMoney(amount float64, currency string) string {
	if currency == "" {
		currency = "USD"
	}
	cents := int64(math.Round(amount * 100))
	s := groupThousands(cents / 100)
	if c := cents % 100; c != 0 {
		s += "." + strconv.FormatInt(100+c, 10)[1:]
	}
	if sym, ok := currencySymbols[currency]; ok {
		return sym + s
	}
	return s + " " + currency
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
