package main

// Fixed reference tables. These are hand-written facts (ISO codes, country
// languages, approximate exchange rates, city coordinates) or generation
// pools (doctor names); none of them is copied from the scraped data.

// Treatment category vocabulary (also used as the doctor specialty vocabulary).
const (
	catBariatric  = "Bariatric surgery"
	catCardio     = "Cardiology"
	catCosmetic   = "Cosmetic surgery"
	catDental     = "Dental"
	catDerm       = "Dermatology"
	catDiag       = "Diagnostics & imaging"
	catEndo       = "Endocrinology"
	catENT        = "ENT"
	catFertility  = "Fertility"
	catGastro     = "Gastroenterology"
	catGenSurg    = "General surgery"
	catIntMed     = "Internal medicine"
	catMental     = "Mental health"
	catNeuro      = "Neurology"
	catObGyn      = "Obstetrics & gynaecology"
	catOnco       = "Oncology"
	catOphth      = "Ophthalmology"
	catOrtho      = "Orthopaedics"
	catPaed       = "Paediatrics"
	catRehab      = "Rehabilitation"
	catResp       = "Respiratory"
	catTransplant = "Transplant surgery"
	catUro        = "Urology & nephrology"
	catVascular   = "Vascular surgery"
	catWellness   = "Wellness & prevention"
)

// allCategories is the full vocabulary, sorted.
var allCategories = []string{
	catBariatric, catCardio, catCosmetic, catDental, catDerm, catDiag, catENT, catEndo,
	catFertility, catGastro, catGenSurg, catIntMed, catMental, catNeuro, catObGyn, catOnco,
	catOphth, catOrtho, catPaed, catRehab, catResp, catTransplant, catUro, catVascular, catWellness,
}

// specialtyCategory maps doctor specialty labels found in the Indian doctor
// files (Practo and the medical-tourism doctor list) onto the category
// vocabulary, which doctors.csv uses as its specialty vocabulary.
var specialtyCategory = map[string]string{
	"dentist":                catDental,
	"gynecologist":           catObGyn,
	"gynaecologist":          catObGyn,
	"pediatrician":           catPaed,
	"orthopedist":            catOrtho,
	"orthopedician":          catOrtho,
	"orthopidician":          catOrtho,
	"infertility specialist": catFertility,
	"dermatologist":          catDerm,
	"physiotherapist":        catRehab,
	"chiropractor":           catRehab,
	"ophthalmologist":        catOphth,
	"cardiologist":           catCardio,
	"psychiatrist":           catMental,
	"urologist":              catUro,
	"gastroenterologist":     catGastro,
	"neurosurgeon":           catNeuro,
	"neurologist":            catNeuro,
	"dietitian/nutritionist": catWellness,
	"pulmonologist":          catResp,
	"bariatric surgeon":      catBariatric,
	"rheumatologist":         catOrtho,
	"physician":              catIntMed,
	"oncologist":             catOnco,
}

// country is one row of countries.csv plus the languages used for
// facilities and generated doctors there.
type country struct {
	Code, Name, Currency string
	Langs                []string // ISO 639-1, main language(s) first
}

// countryTable lists every country the catalogue can reference.
var countryTable = []country{
	{"AE", "United Arab Emirates", "AED", []string{"ar"}},
	{"AM", "Armenia", "AMD", []string{"hy"}},
	{"AR", "Argentina", "ARS", []string{"es"}},
	{"AT", "Austria", "EUR", []string{"de"}},
	{"AU", "Australia", "AUD", []string{"en"}},
	{"BR", "Brazil", "BRL", []string{"pt"}},
	{"CA", "Canada", "CAD", []string{"en", "fr"}},
	{"CH", "Switzerland", "CHF", []string{"de", "fr", "it"}},
	{"CL", "Chile", "CLP", []string{"es"}},
	{"CN", "China", "CNY", []string{"zh"}},
	{"CO", "Colombia", "COP", []string{"es"}},
	{"CR", "Costa Rica", "CRC", []string{"es"}},
	{"CZ", "Czech Republic", "CZK", []string{"cs"}},
	{"DE", "Germany", "EUR", []string{"de"}},
	{"DO", "Dominican Republic", "DOP", []string{"es"}},
	{"EG", "Egypt", "EGP", []string{"ar"}},
	{"ES", "Spain", "EUR", []string{"es"}},
	{"FR", "France", "EUR", []string{"fr"}},
	{"GB", "United Kingdom", "GBP", []string{"en"}},
	{"GR", "Greece", "EUR", []string{"el"}},
	{"HU", "Hungary", "HUF", []string{"hu"}},
	{"IE", "Ireland", "EUR", []string{"en", "ga"}},
	{"IL", "Israel", "ILS", []string{"he"}},
	{"IN", "India", "INR", []string{"hi"}},
	{"IR", "Iran", "IRR", []string{"fa"}},
	{"IT", "Italy", "EUR", []string{"it"}},
	{"JO", "Jordan", "JOD", []string{"ar"}},
	{"KR", "South Korea", "KRW", []string{"ko"}},
	{"LT", "Lithuania", "EUR", []string{"lt"}},
	{"MA", "Morocco", "MAD", []string{"ar", "fr"}},
	{"MT", "Malta", "EUR", []string{"mt", "en"}},
	{"MX", "Mexico", "MXN", []string{"es"}},
	{"MY", "Malaysia", "MYR", []string{"ms"}},
	{"PH", "Philippines", "PHP", []string{"tl", "en"}},
	{"PL", "Poland", "PLN", []string{"pl"}},
	{"PT", "Portugal", "EUR", []string{"pt"}},
	{"QA", "Qatar", "QAR", []string{"ar"}},
	{"RO", "Romania", "RON", []string{"ro"}},
	{"RS", "Serbia", "RSD", []string{"sr"}},
	{"RU", "Russia", "RUB", []string{"ru"}},
	{"SA", "Saudi Arabia", "SAR", []string{"ar"}},
	{"SG", "Singapore", "SGD", []string{"en", "zh", "ms", "ta"}},
	{"SK", "Slovakia", "EUR", []string{"sk"}},
	{"SV", "El Salvador", "USD", []string{"es"}},
	{"SZ", "Eswatini", "SZL", []string{"en", "ss"}},
	{"TH", "Thailand", "THB", []string{"th"}},
	{"TN", "Tunisia", "TND", []string{"ar", "fr"}},
	{"TR", "Turkey", "TRY", []string{"tr"}},
	{"TW", "Taiwan", "TWD", []string{"zh"}},
	{"UA", "Ukraine", "UAH", []string{"uk"}},
	{"US", "United States", "USD", []string{"en"}},
	{"VN", "Vietnam", "VND", []string{"vi"}},
}

// countryAliases maps the messy country strings of the medical-tourism
// files (normalised with normPhrase) to ISO 3166-1 alpha-2 codes.
var countryAliases = map[string]string{
	"india": "IN", "turkey": "TR", "mexico": "MX", "spain": "ES", "united states": "US",
	"usa": "US", "ukraine": "UA", "united arab emirates": "AE", "dubai": "AE", "abu dhabi": "AE",
	"dominican republic": "DO", "dominician republic": "DO", "egypt": "EG", "australia": "AU",
	"slovakia": "SK", "slovika": "SK", "poland": "PL", "swaziland": "SZ", "eswatini": "SZ",
	"canada": "CA", "colombia": "CO", "malta": "MT", "argentina": "AR", "serbia": "RS",
	"armenia": "AM", "portugal": "PT", "philippines": "PH", "china": "CN", "chile": "CL",
	"hungary": "HU", "brazil": "BR", "italy": "IT", "switzerland": "CH", "austria": "AT",
	"ireland": "IE", "israel": "IL", "iran": "IR", "france": "FR", "thailand": "TH",
	"greece": "GR", "united kingdom": "GB", "romania": "RO", "costa rica": "CR",
	"el salvador": "SV", "korea": "KR", "south korea": "KR", "s korea": "KR",
	"czech republic": "CZ", "tunisia": "TN", "russia": "RU", "lithuania": "LT",
	"morocoo": "MA", "morocco": "MA", "saudi arebia": "SA", "saudi arabia": "SA",
	"taiwan": "TW", "qatar": "QA", "germany": "DE", "singapore": "SG", "jordan": "JO",
	"malaysia": "MY", "vietnam": "VN",
}

// ratesAsOf is the reference date of exchangeRates.
const ratesAsOf = "2025-10-01"

// exchangeRates are APPROXIMATE reference rates (units per 1 USD) around
// 2025-10-01, rounded; they are fixed so the output is reproducible and are
// not live market rates.
var exchangeRates = map[string]float64{
	"USD": 1, "EUR": 0.85, "GBP": 0.74, "INR": 88.8, "TRY": 41.6, "MXN": 18.4,
	"THB": 32.4, "COP": 3900, "CRC": 505, "ILS": 3.31, "JOD": 0.709, "MYR": 4.21,
	"PLN": 3.63, "SGD": 1.29, "KRW": 1400, "VND": 26400, "AED": 3.6725, "EGP": 48.2,
	"IRR": 42000, "MAD": 9.05, "PHP": 58.0, "QAR": 3.64, "RUB": 82.0, "SAR": 3.75,
	"RSD": 100.0, "TWD": 30.4, "TND": 2.92, "UAH": 41.3, "AUD": 1.52, "DOP": 63.5,
	"SZL": 17.3, "CAD": 1.39, "ARS": 1350, "AMD": 383, "CNY": 7.12, "CLP": 960,
	"HUF": 332, "BRL": 5.33, "CHF": 0.80, "RON": 4.33, "CZK": 20.7,
	// Currencies of the countries added from the world hospital lists.
	"AFN": 70, "ALL": 83, "DZD": 130, "AZN": 1.7, "BHD": 0.376, "BDT": 122, "BYN": 3.0, "BZD": 2.0,
	"XOF": 565, "BOB": 6.91, "BAM": 1.68, "BWP": 13.5, "BND": 1.29, "BGN": 1.68, "KHR": 4000,
	"XAF": 565, "CDF": 2850, "CUP": 24, "DKK": 6.4, "ETB": 140, "GMD": 72, "GHS": 12, "GTQ": 7.66,
	"GNF": 8700, "GYD": 209, "HTG": 131, "HNL": 26.2, "ISK": 123, "IDR": 16500, "IQD": 1310,
	"JMD": 160, "JPY": 150, "KZT": 540, "KES": 129, "KWD": 0.306, "LBP": 89500, "LRD": 180,
	"LYD": 5.4, "MGA": 4500, "MWK": 1735, "MVR": 15.4, "MRU": 40, "MDL": 17, "MZN": 63.9,
	"MMK": 2100, "NAD": 17.5, "NPR": 140, "NZD": 1.72, "NIO": 36.8, "NGN": 1500, "KPW": 900,
	"MKD": 53, "NOK": 10.1, "OMR": 0.385, "PKR": 281, "PAB": 1, "PGK": 4.2, "PEN": 3.45,
	"RWF": 1440, "SLE": 23, "SOS": 571, "ZAR": 17.5, "SDG": 600, "LKR": 300, "SRD": 38,
	"SEK": 9.5, "SYP": 13000, "TZS": 2450, "TTD": 6.78, "UGX": 3500, "UYU": 40, "UZS": 12000,
	"VES": 190, "YER": 240, "ZMW": 24, "ZWG": 26.8, "BIF": 2950,
}

// usStates maps USPS codes to names for US facility descriptions.
var usStates = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
	"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
	"FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
	"IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
	"ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
	"MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
	"NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
	"NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
	"PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
	"TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
	"WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
	"PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
	"MP": "Northern Mariana Islands",
}

// place is a city or region with approximate centre coordinates.
type place struct {
	Country, City string
	Lat, Lon      float64
}

// placeTable maps the location strings of intl_medtourism_facilities.json
// (normalised with normPhrase) to a city/region and its approximate centre
// (hand-entered, ~0.01° precision for cities, region centroids for states).
// Country is checked: a location that does not belong to the facility's
// country (e.g. "Ho Chi Minh City" under Russia) is left without a place.
var placeTable = map[string]place{
	"toledo":            {"ES", "Toledo", 39.8628, -4.0273},
	"istanbul":          {"TR", "İstanbul", 41.0082, 28.9784},
	"maharashtra":       {"IN", "Maharashtra", 19.7515, 75.7139},
	"dubai":             {"AE", "Dubai", 25.2048, 55.2708},
	"kyiv":              {"UA", "Kyiv", 50.4501, 30.5234},
	"kylv":              {"UA", "Kyiv", 50.4501, 30.5234},
	"tamilnadu":         {"IN", "Tamil Nadu", 11.1271, 78.6569},
	"delhi":             {"IN", "Delhi", 28.7041, 77.1025},
	"new delhi":         {"IN", "New Delhi", 28.6139, 77.2090},
	"antalya":           {"TR", "Antalya", 36.8969, 30.7133},
	"kerala":            {"IN", "Kerala", 10.8505, 76.2711},
	"baja california":   {"MX", "Baja California", 30.8406, -115.2838},
	"izmir":             {"TR", "İzmir", 38.4237, 27.1428},
	"ontario":           {"CA", "Ontario", 51.2538, -85.3232},
	"london":            {"GB", "London", 51.5074, -0.1278},
	"cairo":             {"EG", "Cairo", 30.0444, 31.2357},
	"quintana roo":      {"MX", "Quintana Roo", 19.1817, -88.4791},
	"distrito nacional": {"DO", "Santo Domingo", 18.4861, -69.9312},
	"distriti nacional": {"DO", "Santo Domingo", 18.4861, -69.9312},
	"domingo":           {"DO", "Santo Domingo", 18.4861, -69.9312},
	"san domingo":       {"DO", "Santo Domingo", 18.4861, -69.9312},
	"puerto rico":       {"US", "Puerto Rico", 18.2208, -66.5901},
	"kaunas":            {"LT", "Kaunas", 54.8985, 23.9036},
	"krakow":            {"PL", "Krakow", 50.0647, 19.9450},
	"seoul":             {"KR", "Seoul", 37.5665, 126.9780},
	"madrid":            {"ES", "Madrid", 40.4168, -3.7038},
	"denizli":           {"TR", "Denizli", 37.7765, 29.0864},
	"bayern":            {"DE", "Bavaria", 48.7904, 11.4979},
	"valencia":          {"ES", "Valencia", 39.4699, -0.3763},
	"punjab":            {"IN", "Punjab", 31.1471, 75.3412},
	"athens":            {"GR", "Athens", 37.9838, 23.7275},
	"uttar pradesh":     {"IN", "Uttar Pradesh", 26.8467, 80.9462},
	"bogota":            {"CO", "Bogotá", 4.7110, -74.0721},
	"telengana":         {"IN", "Telangana", 18.1124, 79.0193},
	"nuevo leon":        {"MX", "Nuevo León", 25.5922, -99.9962},
	"nuevo león":        {"MX", "Nuevo León", 25.5922, -99.9962},
	"mexicali":          {"MX", "Mexicali", 32.6245, -115.4523},
	"cluj":              {"RO", "Cluj-Napoca", 46.7712, 23.6236},
	"katowice":          {"PL", "Katowice", 50.2649, 19.0238},
	"san jose":          {"CR", "San José", 9.9281, -84.0907},
	"san josé":          {"CR", "San José", 9.9281, -84.0907},
	"buenos aires":      {"AR", "Buenos Aires", -34.6037, -58.3816},
	"belgrade":          {"RS", "Belgrade", 44.7866, 20.4489},
	"kotayk region":     {"AM", "Kotayk", 40.5410, 44.7660},
	"lisbon":            {"PT", "Lisbon", 38.7223, -9.1393},
	"laguna":            {"PH", "Laguna", 14.1700, 121.3300},
	"karnatka":          {"IN", "Karnataka", 15.3173, 75.7139},
	"san salvador":      {"SV", "San Salvador", 13.6929, -89.2182},
	"heliopolis":        {"EG", "Heliopolis, Cairo", 30.0911, 31.3425},
	"odessa":            {"UA", "Odesa", 46.4825, 30.7233},
	"beylikdüzü":        {"TR", "Beylikdüzü, İstanbul", 40.9820, 28.6400},
	"çorlu":             {"TR", "Çorlu", 41.1591, 27.8000},
	"avcilar":           {"TR", "Avcılar, İstanbul", 40.9795, 28.7214},
	"dobong gu":         {"KR", "Dobong-gu, Seoul", 37.6688, 127.0471},
	"beijing":           {"CN", "Beijing", 39.9042, 116.4074},
	"beverly hills":     {"US", "Beverly Hills", 34.0736, -118.4004},
	"los angeles":       {"US", "Los Angeles", 34.0522, -118.2437},
	"brno":              {"CZ", "Brno", 49.1951, 16.6068},
	"las vegas":         {"US", "Las Vegas", 36.1699, -115.1398},
	"hainan":            {"CN", "Hainan", 19.2000, 109.7000},
	"giza":              {"EG", "Giza", 30.0131, 31.2089},
	"fort lauderdale":   {"US", "Fort Lauderdale", 26.1224, -80.1373},
	"bucharest":         {"RO", "Bucharest", 44.4268, 26.1025},
	"budapest":          {"HU", "Budapest", 47.4979, 19.0402},
	"são paulo":         {"BR", "São Paulo", -23.5505, -46.6333},
	"wa":                {"AU", "Western Australia", -25.0428, 117.7930},
	"rome":              {"IT", "Rome", 41.9028, 12.4964},
	"manitoba":          {"CA", "Manitoba", 53.7609, -98.8139},
	"gujarat":           {"IN", "Gujarat", 22.2587, 71.1924},
	"yucatan":           {"MX", "Yucatán", 20.7099, -89.0943},
	"mazowieckie":       {"PL", "Masovia", 52.4000, 21.1000},
	"tunis":             {"TN", "Tunis", 36.8065, 10.1815},
	"ciudad de méxico":  {"MX", "Mexico City", 19.4326, -99.1332},
	"newport news":      {"US", "Newport News", 37.0871, -76.4730},
	"duarte":            {"DO", "Duarte", 19.2000, -70.0300},
	"lucern":            {"CH", "Lucerne", 47.0502, 8.3093},
	"prague":            {"CZ", "Prague", 50.0755, 14.4378},
	"cincinnati":        {"US", "Cincinnati", 39.1031, -84.5120},
	"besiktas":          {"TR", "Beşiktaş, İstanbul", 41.0422, 29.0083},
	"alicante":          {"ES", "Alicante", 38.3452, -0.4810},
	"bratislava":        {"SK", "Bratislava", 48.1486, 17.1077},
	"sousse":            {"TN", "Sousse", 35.8256, 10.6360},
	"vinnytsia":         {"UA", "Vinnytsia", 49.2331, 28.4682},
	"bayrakli":          {"TR", "Bayraklı, İzmir", 38.4622, 27.1658},
	"puebla":            {"MX", "Puebla", 19.0414, -98.2063},
	"jalisco":           {"MX", "Jalisco", 20.6595, -103.3494},
}

// placeTokens finds a city inside longer location strings that are really
// facility names ("Harley Street Medical Centre Abu Dhabi"). Checked in
// order; the first token found as a whole phrase wins.
var placeTokens = []struct {
	Token string
	Place place
}{
	{"abu dhabi", place{"AE", "Abu Dhabi", 24.4539, 54.3773}},
	{"dubai", place{"AE", "Dubai", 25.2048, 55.2708}},
	{"casablanca", place{"MA", "Casablanca", 33.5731, -7.5898}},
	{"shanghai", place{"CN", "Shanghai", 31.2304, 121.4737}},
	{"phuket", place{"TH", "Phuket", 7.8804, 98.3923}},
	{"pak kret", place{"TH", "Pak Kret", 13.9130, 100.4988}},
	{"bangkok", place{"TH", "Bangkok", 13.7563, 100.5018}},
	{"manzini", place{"SZ", "Manzini", -26.4988, 31.3800}},
	{"mbabane", place{"SZ", "Mbabane", -26.3054, 31.1367}},
	{"passy", place{"FR", "Passy", 45.9236, 6.6897}},
	{"les gets", place{"FR", "Les Gets", 46.1583, 6.6694}},
	{"paris", place{"FR", "Paris", 48.8566, 2.3522}},
	{"kirrawee", place{"AU", "Kirrawee", -34.0333, 151.0667}},
	{"sydney", place{"AU", "Sydney", -33.8688, 151.2093}},
	{"barrio norte", place{"AR", "Buenos Aires", -34.5950, -58.4000}},
	{"microcentro", place{"AR", "Buenos Aires", -34.6037, -58.3750}},
	{"vila real de santo antónio", place{"PT", "Vila Real de Santo António", 37.1946, -7.4158}},
	{"montreux", place{"CH", "Montreux", 46.4312, 6.9107}},
	{"herzliya", place{"IL", "Herzliya", 32.1624, 34.8447}},
	{"singapore", place{"SG", "Singapore", 1.3521, 103.8198}},
}

// indianCityCoords places the cities/neighbourhoods of the Indian doctor
// files; metro is the Practo city whose listings fit that place.
var indianCityCoords = map[string]place{
	"bangalore": {"IN", "Bangalore", 12.9716, 77.5946},
	"hyderabad": {"IN", "Hyderabad", 17.3850, 78.4867},
	"delhi":     {"IN", "Delhi", 28.7041, 77.1025},
	"mumbai":    {"IN", "Mumbai", 19.0760, 72.8777},
	"pune":      {"IN", "Pune", 18.5204, 73.8567},
	"chennai":   {"IN", "Chennai", 13.0827, 80.2707},
	"kolkata":   {"IN", "Kolkata", 22.5726, 88.3639},
	"kurnool":   {"IN", "Kurnool", 15.8281, 78.0373},
	"bikaner":   {"IN", "Bikaner", 28.0229, 73.3119},
	"nashik":    {"IN", "Nashik", 19.9975, 73.7898},
	"kota":      {"IN", "Kota", 25.2138, 75.8648},
}

// indianLocalityCity maps neighbourhoods and spellings in
// in_medtourism_doctors.json to a key of indianCityCoords.
var indianLocalityCity = map[string]string{
	"hyderabad": "hyderabad", "madhapur": "hyderabad", "secunderabad": "hyderabad",
	"new delhi": "delhi", "greater noida": "delhi", "noida": "delhi", "ghaziabad": "delhi",
	"gurugram": "delhi", "fariadabad": "delhi",
	"pune": "pune", "bangalore": "bangalore", "bannerghatta road": "bangalore",
	"jc rd": "bangalore", "whitefield": "bangalore", "j p nagar": "bangalore",
	"kaikondrahalli": "bangalore", "kaikondrahali": "bangalore", "kalyan nagar": "bangalore",
	"yeswanthpur": "bangalore", "indiranagar": "bangalore", "bellandur": "bangalore",
	"rt nagar": "bangalore", "varthur kodi": "bangalore", "marathalli": "bangalore",
	"banashankari": "bangalore", "kadugodi": "bangalore", "hsr layout": "bangalore",
	"girinagar bangal": "bangalore", "rr nagar bangalore": "bangalore", "jayanagar": "bangalore",
	"begur":  "bangalore",
	"mumbai": "mumbai", "andheri": "mumbai", "navi mumbai": "mumbai",
	"kurnool": "kurnool", "kolkata": "kolkata", "bikaner": "bikaner", "nasik": "nashik",
	"chennai": "chennai", "kota": "kota",
}

// practoCityLangs are the languages assumed for Practo doctors by city
// (English and Hindi plus the local language); Practo lists none.
var practoCityLangs = map[string][]string{
	"Bangalore": {"en", "hi", "kn"},
	"Delhi":     {"en", "hi"},
	"Mumbai":    {"en", "hi", "mr"},
}

// langCodes maps the language names of in_medtourism_doctors.json to ISO 639-1.
var langCodes = map[string]string{
	"english": "en", "hindi": "hi", "telugu": "te", "telgu": "te", "kannada": "kn",
	"marathi": "mr", "tamil": "ta", "bengali": "bn",
}

// namePool is a list of given names and surnames for generated doctors.
type namePool struct{ First, Last []string }

var (
	englishNames = namePool{
		First: []string{"James", "Olivia", "William", "Emma", "Michael", "Sophia", "David", "Emily",
			"Daniel", "Grace", "Thomas", "Charlotte", "Robert", "Hannah", "Christopher", "Amelia",
			"Matthew", "Lucy", "Andrew", "Sarah", "Richard", "Rachel", "Jonathan", "Laura", "Peter",
			"Helen", "Samuel", "Katherine", "Benjamin", "Rebecca", "Mark", "Claire", "Paul",
			"Jennifer", "Steven", "Megan", "Edward", "Alice", "George", "Natalie", "Anthony", "Ruth"},
		Last: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
			"Taylor", "Anderson", "Thomas", "Moore", "Martin", "Thompson", "White", "Harris", "Clark",
			"Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green",
			"Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter",
			"Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris",
			"Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Reed", "Bailey", "Bell", "Kelly",
			"Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray",
			"Hughes", "Price", "Patel", "Nguyen", "Kim", "Garcia", "Chen", "Khan", "Okafor", "Rossi"},
	}
	indianNames = namePool{
		First: []string{"Aarav", "Ananya", "Rohan", "Priya", "Vikram", "Kavya", "Arjun", "Meera",
			"Rahul", "Sneha", "Karthik", "Divya", "Sanjay", "Pooja", "Anil", "Lakshmi", "Suresh",
			"Neha", "Rajesh", "Deepa", "Amit", "Shruti", "Nikhil", "Aishwarya", "Varun", "Swati",
			"Harish", "Nandini", "Manoj", "Ritu", "Aditya", "Sunita"},
		Last: []string{"Sharma", "Verma", "Iyer", "Nair", "Reddy", "Rao", "Gupta", "Mehta", "Patel",
			"Shah", "Kulkarni", "Joshi", "Menon", "Pillai", "Banerjee", "Chatterjee", "Das", "Singh",
			"Kapoor", "Malhotra", "Agarwal", "Desai", "Bhat", "Hegde", "Naidu", "Krishnan", "Mishra",
			"Saxena", "Chauhan", "Kumar"},
	}
	turkishNames = namePool{
		First: []string{"Mehmet", "Ayşe", "Mustafa", "Fatma", "Ahmet", "Zeynep", "Emre", "Elif",
			"Burak", "Selin", "Can", "Merve", "Murat", "Esra", "Kerem", "Deniz", "Okan", "Gizem",
			"Serkan", "Derya"},
		Last: []string{"Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk",
			"Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt",
			"Özkan", "Şimşek"},
	}
	spanishNames = namePool{
		First: []string{"José", "María", "Carlos", "Lucía", "Javier", "Carmen", "Miguel", "Ana",
			"Alejandro", "Laura", "Fernando", "Isabel", "Diego", "Sofía", "Andrés", "Valentina",
			"Pablo", "Gabriela", "Luis", "Daniela", "Ricardo", "Paula"},
		Last: []string{"García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez",
			"Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Ortiz",
			"Castillo", "Romero", "Vargas", "Jiménez", "Ruiz", "Herrera", "Medina", "Castro"},
	}
	portugueseNames = namePool{
		First: []string{"João", "Ana", "Pedro", "Mariana", "Lucas", "Beatriz", "Rafael", "Camila",
			"Tiago", "Inês", "Gustavo", "Juliana", "Bruno", "Carolina"},
		Last: []string{"Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Ferreira",
			"Almeida", "Carvalho", "Rodrigues", "Martins", "Gomes", "Ribeiro", "Lopes"},
	}
	arabicNames = namePool{
		First: []string{"Ahmed", "Fatima", "Mohammed", "Aisha", "Omar", "Layla", "Khalid", "Mariam",
			"Youssef", "Noor", "Hassan", "Salma", "Tariq", "Huda", "Karim", "Rania", "Samir", "Yasmin"},
		Last: []string{"Al-Mansouri", "Haddad", "El-Sayed", "Hassan", "Khalil", "Nasser", "Al-Farsi",
			"Ibrahim", "Saleh", "Mahmoud", "Aziz", "Rahman", "Qasim", "Benali", "Amrani", "Hamdan"},
	}
	koreanNames = namePool{
		First: []string{"Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Ji-woo", "Hyun-woo",
			"Soo-ah", "Jae-won", "Eun-ji"},
		Last: []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"},
	}
	chineseNames = namePool{
		First: []string{"Wei", "Mei", "Jun", "Hui", "Hao", "Yan", "Jia", "Lei", "Xin", "Ming",
			"Ying", "Chen"},
		Last: []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Lin", "Tan", "Lim",
			"Wong", "Ng"},
	}
	genericNames = namePool{
		First: []string{"Alex", "Maria", "Daniel", "Anna", "Martin", "Elena", "Lukas", "Sofia",
			"David", "Eva", "Adam", "Nina", "Peter", "Sara", "Ivan", "Lea", "Marco", "Julia",
			"Tomas", "Irina", "Nikola", "Katarina"},
		Last: []string{"Novak", "Horvat", "Kowalski", "Müller", "Rossi", "Petrov", "Dubois", "Nagy",
			"Popescu", "Schmidt", "Weber", "Bianchi", "Moreau", "Kovács", "Jansen", "Lindqvist",
			"Papadopoulos", "Cohen", "Levi", "Meyer", "Fischer", "Marković", "Wagner", "Costa"},
	}
)

// namePoolFor returns the name pool used for doctors in a country.
func namePoolFor(cc string) namePool {
	switch cc {
	case "US", "GB", "IE", "AU", "CA", "MT":
		return englishNames
	case "IN":
		return indianNames
	case "TR":
		return turkishNames
	case "ES", "MX", "CO", "AR", "CL", "CR", "DO", "SV":
		return spanishNames
	case "BR", "PT":
		return portugueseNames
	case "AE", "SA", "QA", "EG", "MA", "TN", "JO":
		return arabicNames
	case "KR":
		return koreanNames
	case "CN", "TW", "SG":
		return chineseNames
	}
	return genericNames
}
