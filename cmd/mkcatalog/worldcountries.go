package main

// worldCountryTable adds the countries that only the world hospital lists
// (Wikidata, Eurostat) bring. Like countryTable these are fixed facts: ISO
// 3166-1 codes, English names and default ISO 4217 currencies. No language
// is given: the lists do not say which languages a hospital speaks, and
// nothing is assumed for their facilities.
var worldCountryTable = []country{
	{"AF", "Afghanistan", "AFN", nil}, {"AL", "Albania", "ALL", nil}, {"AZ", "Azerbaijan", "AZN", nil},
	{"BA", "Bosnia and Herzegovina", "BAM", nil}, {"BD", "Bangladesh", "BDT", nil}, {"BE", "Belgium", "EUR", nil},
	{"BG", "Bulgaria", "BGN", nil}, {"BH", "Bahrain", "BHD", nil}, {"BI", "Burundi", "BIF", nil},
	{"BJ", "Benin", "XOF", nil}, {"BN", "Brunei", "BND", nil}, {"BO", "Bolivia", "BOB", nil},
	{"BW", "Botswana", "BWP", nil}, {"BY", "Belarus", "BYN", nil}, {"BZ", "Belize", "BZD", nil},
	{"CD", "Democratic Republic of the Congo", "CDF", nil}, {"CI", "Côte d'Ivoire", "XOF", nil},
	{"CM", "Cameroon", "XAF", nil}, {"CU", "Cuba", "CUP", nil}, {"CY", "Cyprus", "EUR", nil},
	{"DK", "Denmark", "DKK", nil}, {"DZ", "Algeria", "DZD", nil}, {"EC", "Ecuador", "USD", nil},
	{"ET", "Ethiopia", "ETB", nil}, {"FI", "Finland", "EUR", nil}, {"GH", "Ghana", "GHS", nil},
	{"GM", "Gambia", "GMD", nil}, {"GN", "Guinea", "GNF", nil}, {"GT", "Guatemala", "GTQ", nil},
	{"GY", "Guyana", "GYD", nil}, {"HN", "Honduras", "HNL", nil}, {"HR", "Croatia", "EUR", nil},
	{"HT", "Haiti", "HTG", nil}, {"ID", "Indonesia", "IDR", nil}, {"IQ", "Iraq", "IQD", nil},
	{"IS", "Iceland", "ISK", nil}, {"JM", "Jamaica", "JMD", nil}, {"JP", "Japan", "JPY", nil},
	{"KE", "Kenya", "KES", nil}, {"KH", "Cambodia", "KHR", nil}, {"KP", "North Korea", "KPW", nil},
	{"KW", "Kuwait", "KWD", nil}, {"KZ", "Kazakhstan", "KZT", nil}, {"LB", "Lebanon", "LBP", nil},
	{"LK", "Sri Lanka", "LKR", nil}, {"LR", "Liberia", "LRD", nil}, {"LU", "Luxembourg", "EUR", nil},
	{"LV", "Latvia", "EUR", nil}, {"LY", "Libya", "LYD", nil}, {"MD", "Moldova", "MDL", nil},
	{"MG", "Madagascar", "MGA", nil}, {"MK", "North Macedonia", "MKD", nil}, {"MM", "Myanmar", "MMK", nil},
	{"MR", "Mauritania", "MRU", nil}, {"MV", "Maldives", "MVR", nil}, {"MW", "Malawi", "MWK", nil},
	{"MZ", "Mozambique", "MZN", nil}, {"NA", "Namibia", "NAD", nil}, {"NE", "Niger", "XOF", nil},
	{"NG", "Nigeria", "NGN", nil}, {"NI", "Nicaragua", "NIO", nil}, {"NL", "Netherlands", "EUR", nil},
	{"NO", "Norway", "NOK", nil}, {"NP", "Nepal", "NPR", nil}, {"NZ", "New Zealand", "NZD", nil},
	{"OM", "Oman", "OMR", nil}, {"PA", "Panama", "PAB", nil}, {"PE", "Peru", "PEN", nil},
	{"PG", "Papua New Guinea", "PGK", nil}, {"PK", "Pakistan", "PKR", nil}, {"PS", "Palestine", "ILS", nil},
	{"RW", "Rwanda", "RWF", nil}, {"SD", "Sudan", "SDG", nil}, {"SE", "Sweden", "SEK", nil},
	{"SI", "Slovenia", "EUR", nil}, {"SL", "Sierra Leone", "SLE", nil}, {"SN", "Senegal", "XOF", nil},
	{"SO", "Somalia", "SOS", nil}, {"SR", "Suriname", "SRD", nil}, {"SY", "Syria", "SYP", nil},
	{"TG", "Togo", "XOF", nil}, {"TT", "Trinidad and Tobago", "TTD", nil}, {"TZ", "Tanzania", "TZS", nil},
	{"UG", "Uganda", "UGX", nil}, {"UY", "Uruguay", "UYU", nil}, {"UZ", "Uzbekistan", "UZS", nil},
	{"VE", "Venezuela", "VES", nil}, {"YE", "Yemen", "YER", nil}, {"ZA", "South Africa", "ZAR", nil},
	{"ZM", "Zambia", "ZMW", nil}, {"ZW", "Zimbabwe", "ZWG", nil},
}

// wikidataCountries maps the English country labels of the Wikidata export
// to ISO 3166-1 codes. A label not listed (territories such as Jersey, and
// the rows with no country) is left out of the catalogue.
var wikidataCountries = map[string]string{
	"Afghanistan": "AF", "Albania": "AL", "Algeria": "DZ", "Argentina": "AR", "Armenia": "AM",
	"Australia": "AU", "Austria": "AT", "Azerbaijan": "AZ", "Bahrain": "BH", "Bangladesh": "BD",
	"Belarus": "BY", "Belgium": "BE", "Belize": "BZ", "Benin": "BJ", "Bolivia": "BO",
	"Bosnia and Herzegovina": "BA", "Botswana": "BW", "Brazil": "BR", "Brunei": "BN", "Bulgaria": "BG",
	"Burundi": "BI", "Cambodia": "KH", "Cameroon": "CM", "Canada": "CA", "Chile": "CL",
	"Colombia": "CO", "Costa Rica": "CR", "Croatia": "HR", "Cuba": "CU", "Cyprus": "CY",
	"Czech Republic": "CZ", "Democratic Republic of the Congo": "CD", "Denmark": "DK",
	"Dominican Republic": "DO", "Ecuador": "EC", "Egypt": "EG", "El Salvador": "SV", "Ethiopia": "ET",
	"Finland": "FI", "France": "FR", "Germany": "DE", "Ghana": "GH", "Greece": "GR", "Guatemala": "GT",
	"Guinea": "GN", "Guyana": "GY", "Haiti": "HT", "Honduras": "HN", "Hungary": "HU", "Iceland": "IS",
	"India": "IN", "Indonesia": "ID", "Iran": "IR", "Iraq": "IQ", "Israel": "IL", "Italy": "IT",
	"Ivory Coast": "CI", "Jamaica": "JM", "Japan": "JP", "Jordan": "JO", "Kazakhstan": "KZ",
	"Kenya": "KE", "Kuwait": "KW", "Latvia": "LV", "Lebanon": "LB", "Liberia": "LR", "Libya": "LY",
	"Lithuania": "LT", "Luxembourg": "LU", "Madagascar": "MG", "Malawi": "MW", "Malaysia": "MY",
	"Maldives": "MV", "Malta": "MT", "Mauritania": "MR", "Mexico": "MX", "Moldova": "MD",
	"Morocco": "MA", "Mozambique": "MZ", "Myanmar": "MM", "Namibia": "NA", "Nepal": "NP",
	"Netherlands": "NL", "New Zealand": "NZ", "Nicaragua": "NI", "Niger": "NE", "Nigeria": "NG",
	"North Korea": "KP", "North Macedonia": "MK", "Norway": "NO", "Oman": "OM", "Pakistan": "PK",
	"Panama": "PA", "Papua New Guinea": "PG", "People's Republic of China": "CN", "Peru": "PE",
	"Philippines": "PH", "Poland": "PL", "Portugal": "PT", "Qatar": "QA", "Republic of Ireland": "IE",
	"Romania": "RO", "Russia": "RU", "Rwanda": "RW", "Saudi Arabia": "SA", "Senegal": "SN",
	"Serbia": "RS", "Sierra Leone": "SL", "Singapore": "SG", "Slovakia": "SK", "Slovenia": "SI",
	"Somalia": "SO", "South Africa": "ZA", "South Korea": "KR", "Spain": "ES", "Sri Lanka": "LK",
	"State of Palestine": "PS", "Sudan": "SD", "Suriname": "SR", "Sweden": "SE", "Switzerland": "CH",
	"Syria": "SY", "Taiwan": "TW", "Tanzania": "TZ", "Thailand": "TH", "The Gambia": "GM", "Togo": "TG",
	"Trinidad and Tobago": "TT", "Tunisia": "TN", "Turkey": "TR", "Uganda": "UG", "Ukraine": "UA",
	"United Arab Emirates": "AE", "United Kingdom": "GB", "United States of America": "US",
	"Uruguay": "UY", "Uzbekistan": "UZ", "Venezuela": "VE", "Vietnam": "VN", "Yemen": "YE",
	"Zambia": "ZM", "Zimbabwe": "ZW",
}
