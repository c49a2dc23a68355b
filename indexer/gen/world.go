package gen

// Built-in reference data: what the generator falls back on when the base
// catalogue is too small to draw from. Everything here is a plain slice, never
// a map that is ranged over, so that the order, and with it the output, is the
// same on every run.

// worldCountry is a real ISO 3166-1 country with its ISO 4217 currency, its
// capital (a plausible place for facilities when the base catalogue has none
// in the country), and a main language (ISO 639-1) spoken there.
type worldCountry struct {
	code, name, currency string
	capital              string
	lat, lon             float64
	lang                 string
}

// worldCountries is ordered roughly by how much a medical-travel catalogue
// would care about a country, so that asking for a few extra countries gives a
// spread over continents rather than, say, all of the euro area.
var worldCountries = []worldCountry{
	{"US", "United States", "USD", "Washington", 38.90, -77.04, "en"},
	{"GB", "United Kingdom", "GBP", "London", 51.51, -0.13, "en"},
	{"DE", "Germany", "EUR", "Berlin", 52.52, 13.40, "de"},
	{"TR", "Turkey", "TRY", "Ankara", 39.93, 32.86, "tr"},
	{"IN", "India", "INR", "New Delhi", 28.61, 77.21, "hi"},
	{"TH", "Thailand", "THB", "Bangkok", 13.76, 100.50, "th"},
	{"MX", "Mexico", "MXN", "Mexico City", 19.43, -99.13, "es"},
	{"FR", "France", "EUR", "Paris", 48.86, 2.35, "fr"},
	{"ES", "Spain", "EUR", "Madrid", 40.42, -3.70, "es"},
	{"IT", "Italy", "EUR", "Rome", 41.90, 12.50, "it"},
	{"BR", "Brazil", "BRL", "Brasília", -15.79, -47.88, "pt"},
	{"KR", "South Korea", "KRW", "Seoul", 37.57, 126.98, "ko"},
	{"JP", "Japan", "JPY", "Tokyo", 35.68, 139.69, "ja"},
	{"SG", "Singapore", "SGD", "Singapore", 1.35, 103.82, "en"},
	{"MY", "Malaysia", "MYR", "Kuala Lumpur", 3.14, 101.69, "ms"},
	{"AE", "United Arab Emirates", "AED", "Abu Dhabi", 24.45, 54.38, "ar"},
	{"IL", "Israel", "ILS", "Jerusalem", 31.77, 35.21, "he"},
	{"PL", "Poland", "PLN", "Warsaw", 52.23, 21.01, "pl"},
	{"CZ", "Czechia", "CZK", "Prague", 50.08, 14.44, "cs"},
	{"HU", "Hungary", "HUF", "Budapest", 47.50, 19.04, "hu"},
	{"CA", "Canada", "CAD", "Ottawa", 45.42, -75.70, "en"},
	{"AU", "Australia", "AUD", "Canberra", -35.28, 149.13, "en"},
	{"ZA", "South Africa", "ZAR", "Pretoria", -25.75, 28.19, "en"},
	{"EG", "Egypt", "EGP", "Cairo", 30.04, 31.24, "ar"},
	{"CO", "Colombia", "COP", "Bogotá", 4.71, -74.07, "es"},
	{"CR", "Costa Rica", "CRC", "San José", 9.93, -84.09, "es"},
	{"CN", "China", "CNY", "Beijing", 39.90, 116.41, "zh"},
	{"AR", "Argentina", "ARS", "Buenos Aires", -34.60, -58.38, "es"},
	{"CL", "Chile", "CLP", "Santiago", -33.45, -70.67, "es"},
	{"PE", "Peru", "PEN", "Lima", -12.05, -77.04, "es"},
	{"PH", "Philippines", "PHP", "Manila", 14.60, 120.98, "tl"},
	{"VN", "Vietnam", "VND", "Hanoi", 21.03, 105.85, "vi"},
	{"ID", "Indonesia", "IDR", "Jakarta", -6.21, 106.85, "id"},
	{"TW", "Taiwan", "TWD", "Taipei", 25.03, 121.57, "zh"},
	{"HK", "Hong Kong", "HKD", "Hong Kong", 22.32, 114.17, "zh"},
	{"GR", "Greece", "EUR", "Athens", 37.98, 23.73, "el"},
	{"PT", "Portugal", "EUR", "Lisbon", 38.72, -9.14, "pt"},
	{"NL", "Netherlands", "EUR", "Amsterdam", 52.37, 4.90, "nl"},
	{"BE", "Belgium", "EUR", "Brussels", 50.85, 4.35, "nl"},
	{"AT", "Austria", "EUR", "Vienna", 48.21, 16.37, "de"},
	{"CH", "Switzerland", "CHF", "Bern", 46.95, 7.45, "de"},
	{"SE", "Sweden", "SEK", "Stockholm", 59.33, 18.07, "sv"},
	{"NO", "Norway", "NOK", "Oslo", 59.91, 10.75, "no"},
	{"DK", "Denmark", "DKK", "Copenhagen", 55.68, 12.57, "da"},
	{"IE", "Ireland", "EUR", "Dublin", 53.35, -6.26, "en"},
	{"FI", "Finland", "EUR", "Helsinki", 60.17, 24.94, "fi"},
	{"HR", "Croatia", "EUR", "Zagreb", 45.81, 15.98, "hr"},
	{"RO", "Romania", "RON", "Bucharest", 44.43, 26.10, "ro"},
	{"BG", "Bulgaria", "BGN", "Sofia", 42.70, 23.32, "bg"},
	{"RS", "Serbia", "RSD", "Belgrade", 44.79, 20.45, "sr"},
	{"JO", "Jordan", "JOD", "Amman", 31.95, 35.93, "ar"},
	{"SA", "Saudi Arabia", "SAR", "Riyadh", 24.71, 46.68, "ar"},
	{"QA", "Qatar", "QAR", "Doha", 25.29, 51.53, "ar"},
	{"LB", "Lebanon", "LBP", "Beirut", 33.89, 35.50, "ar"},
	{"MA", "Morocco", "MAD", "Rabat", 34.02, -6.84, "ar"},
	{"TN", "Tunisia", "TND", "Tunis", 36.81, 10.18, "ar"},
	{"NG", "Nigeria", "NGN", "Abuja", 9.08, 7.40, "en"},
	{"KE", "Kenya", "KES", "Nairobi", -1.29, 36.82, "sw"},
	{"NZ", "New Zealand", "NZD", "Wellington", -41.29, 174.78, "en"},
	{"PK", "Pakistan", "PKR", "Islamabad", 33.68, 73.05, "ur"},
	{"BD", "Bangladesh", "BDT", "Dhaka", 23.81, 90.41, "bn"},
	{"LK", "Sri Lanka", "LKR", "Colombo", 6.93, 79.85, "si"},
	{"NP", "Nepal", "NPR", "Kathmandu", 27.72, 85.32, "ne"},
	{"UA", "Ukraine", "UAH", "Kyiv", 50.45, 30.52, "uk"},
	{"GE", "Georgia", "GEL", "Tbilisi", 41.72, 44.79, "ka"},
	{"AM", "Armenia", "AMD", "Yerevan", 40.18, 44.51, "hy"},
	{"AZ", "Azerbaijan", "AZN", "Baku", 40.41, 49.87, "az"},
	{"KZ", "Kazakhstan", "KZT", "Astana", 51.17, 71.45, "kk"},
	{"UZ", "Uzbekistan", "UZS", "Tashkent", 41.30, 69.24, "uz"},
	{"KW", "Kuwait", "KWD", "Kuwait City", 29.38, 47.99, "ar"},
	{"BH", "Bahrain", "BHD", "Manama", 26.23, 50.59, "ar"},
	{"OM", "Oman", "OMR", "Muscat", 23.59, 58.41, "ar"},
	{"DZ", "Algeria", "DZD", "Algiers", 36.75, 3.06, "ar"},
	{"GH", "Ghana", "GHS", "Accra", 5.60, -0.19, "en"},
	{"ET", "Ethiopia", "ETB", "Addis Ababa", 9.03, 38.74, "am"},
	{"TZ", "Tanzania", "TZS", "Dodoma", -6.16, 35.75, "sw"},
	{"UG", "Uganda", "UGX", "Kampala", 0.35, 32.58, "en"},
	{"RW", "Rwanda", "RWF", "Kigali", -1.95, 30.06, "rw"},
	{"SN", "Senegal", "XOF", "Dakar", 14.72, -17.47, "fr"},
	{"CI", "Côte d'Ivoire", "XOF", "Yamoussoukro", 6.83, -5.29, "fr"},
	{"CM", "Cameroon", "XAF", "Yaoundé", 3.85, 11.50, "fr"},
	{"MU", "Mauritius", "MUR", "Port Louis", -20.16, 57.50, "en"},
	{"KH", "Cambodia", "KHR", "Phnom Penh", 11.56, 104.92, "km"},
	{"LA", "Laos", "LAK", "Vientiane", 17.97, 102.63, "lo"},
	{"MM", "Myanmar", "MMK", "Naypyidaw", 19.76, 96.08, "my"},
	{"MN", "Mongolia", "MNT", "Ulaanbaatar", 47.89, 106.91, "mn"},
	{"BN", "Brunei", "BND", "Bandar Seri Begawan", 4.90, 114.94, "ms"},
	{"MV", "Maldives", "MVR", "Malé", 4.18, 73.51, "dv"},
	{"FJ", "Fiji", "FJD", "Suva", -18.14, 178.44, "en"},
	{"GT", "Guatemala", "GTQ", "Guatemala City", 14.63, -90.51, "es"},
	{"PA", "Panama", "PAB", "Panama City", 8.98, -79.52, "es"},
	{"CU", "Cuba", "CUP", "Havana", 23.11, -82.37, "es"},
	{"DO", "Dominican Republic", "DOP", "Santo Domingo", 18.49, -69.93, "es"},
	{"JM", "Jamaica", "JMD", "Kingston", 18.02, -76.80, "en"},
	{"EC", "Ecuador", "USD", "Quito", -0.18, -78.47, "es"},
	{"UY", "Uruguay", "UYU", "Montevideo", -34.90, -56.16, "es"},
	{"PY", "Paraguay", "PYG", "Asunción", -25.26, -57.58, "es"},
	{"BO", "Bolivia", "BOB", "La Paz", -16.49, -68.12, "es"},
	{"BS", "Bahamas", "BSD", "Nassau", 25.05, -77.36, "en"},
	{"BB", "Barbados", "BBD", "Bridgetown", 13.10, -59.62, "en"},
	{"TT", "Trinidad and Tobago", "TTD", "Port of Spain", 10.65, -61.50, "en"},
	{"RU", "Russia", "RUB", "Moscow", 55.76, 37.62, "ru"},
	{"BY", "Belarus", "BYN", "Minsk", 53.90, 27.56, "be"},
	{"MD", "Moldova", "MDL", "Chișinău", 47.01, 28.86, "ro"},
	{"AL", "Albania", "ALL", "Tirana", 41.33, 19.82, "sq"},
	{"MK", "North Macedonia", "MKD", "Skopje", 42.00, 21.43, "mk"},
	{"BA", "Bosnia and Herzegovina", "BAM", "Sarajevo", 43.86, 18.41, "bs"},
	{"ME", "Montenegro", "EUR", "Podgorica", 42.44, 19.26, "sr"},
	{"SI", "Slovenia", "EUR", "Ljubljana", 46.06, 14.51, "sl"},
	{"SK", "Slovakia", "EUR", "Bratislava", 48.15, 17.11, "sk"},
	{"LT", "Lithuania", "EUR", "Vilnius", 54.69, 25.28, "lt"},
	{"LV", "Latvia", "EUR", "Riga", 56.95, 24.11, "lv"},
	{"EE", "Estonia", "EUR", "Tallinn", 59.44, 24.75, "et"},
	{"CY", "Cyprus", "EUR", "Nicosia", 35.17, 33.36, "el"},
	{"MT", "Malta", "EUR", "Valletta", 35.90, 14.51, "mt"},
	{"LU", "Luxembourg", "EUR", "Luxembourg", 49.61, 6.13, "fr"},
	{"MC", "Monaco", "EUR", "Monaco", 43.74, 7.42, "fr"},
	{"AD", "Andorra", "EUR", "Andorra la Vella", 42.51, 1.52, "ca"},
	{"IS", "Iceland", "ISK", "Reykjavík", 64.15, -21.94, "is"},
	{"IR", "Iran", "IRR", "Tehran", 35.69, 51.39, "fa"},
	{"IQ", "Iraq", "IQD", "Baghdad", 33.31, 44.36, "ar"},
	{"KG", "Kyrgyzstan", "KGS", "Bishkek", 42.87, 74.59, "ky"},
	{"NA", "Namibia", "NAD", "Windhoek", -22.56, 17.08, "en"},
	{"BW", "Botswana", "BWP", "Gaborone", -24.65, 25.91, "en"},
	{"ZM", "Zambia", "ZMW", "Lusaka", -15.39, 28.32, "en"},
	{"MZ", "Mozambique", "MZN", "Maputo", -25.97, 32.57, "pt"},
	{"AO", "Angola", "AOA", "Luanda", -8.84, 13.23, "pt"},
	{"SC", "Seychelles", "SCR", "Victoria", -4.62, 55.45, "en"},
}

// worldRates are approximate units of each currency per US dollar (autumn
// 2025). They only price generated offers in currencies the base catalogue
// has no rate for; a base rate always wins.
var worldRates = []struct {
	currency string
	rate     float64
}{
	{"USD", 1}, {"EUR", 0.86}, {"GBP", 0.75}, {"TRY", 41.5}, {"INR", 88}, {"THB", 32.5},
	{"MXN", 18.4}, {"BRL", 5.35}, {"KRW", 1400}, {"JPY", 150}, {"SGD", 1.29}, {"MYR", 4.2},
	{"AED", 3.6725}, {"ILS", 3.3}, {"PLN", 3.65}, {"CZK", 21}, {"HUF", 340}, {"CAD", 1.39},
	{"AUD", 1.52}, {"ZAR", 17.5}, {"EGP", 48.5}, {"COP", 3900}, {"CRC", 502}, {"CNY", 7.12},
	{"ARS", 1400}, {"CLP", 950}, {"PEN", 3.45}, {"PHP", 58}, {"VND", 26300}, {"IDR", 16500},
	{"TWD", 30.5}, {"HKD", 7.78}, {"CHF", 0.8}, {"SEK", 9.5}, {"NOK", 10.1}, {"DKK", 6.4},
	{"RON", 4.35}, {"BGN", 1.68}, {"RSD", 100}, {"JOD", 0.709}, {"SAR", 3.75}, {"QAR", 3.64},
	{"LBP", 89500}, {"MAD", 9.1}, {"TND", 2.95}, {"NGN", 1500}, {"KES", 129}, {"NZD", 1.72},
	{"PKR", 281}, {"BDT", 122}, {"LKR", 300}, {"NPR", 140}, {"UAH", 41.5}, {"GEL", 2.7},
	{"AMD", 385}, {"AZN", 1.7}, {"KZT", 540}, {"UZS", 12000}, {"KWD", 0.306}, {"BHD", 0.376},
	{"OMR", 0.385}, {"DZD", 130}, {"GHS", 12}, {"ETB", 140}, {"TZS", 2450}, {"UGX", 3500},
	{"RWF", 1440}, {"XOF", 565}, {"XAF", 565}, {"MUR", 45.5}, {"KHR", 4000}, {"LAK", 21700},
	{"MMK", 2100}, {"MNT", 3590}, {"BND", 1.29}, {"MVR", 15.4}, {"FJD", 2.26}, {"GTQ", 7.66},
	{"PAB", 1}, {"CUP", 24}, {"DOP", 63}, {"JMD", 160}, {"UYU", 40}, {"PYG", 7200},
	{"BOB", 6.91}, {"BSD", 1}, {"BBD", 2}, {"TTD", 6.78}, {"RUB", 80}, {"BYN", 3},
	{"MDL", 17}, {"ALL", 83}, {"MKD", 53}, {"BAM", 1.68}, {"ISK", 123}, {"IRR", 42000},
	{"IQD", 1310}, {"KGS", 87.4}, {"NAD", 17.5}, {"BWP", 13.5}, {"ZMW", 24}, {"MZN", 63.9},
	{"AOA", 915}, {"SCR", 14},
}

// treatmentVariants turn one base treatment into a plausible distinct one when
// more treatments are asked for than the base has. The price factor keeps a
// variant's price in proportion to the original's.
var treatmentVariants = []struct {
	prefix, suffix string
	price          float64
}{
	{"", " — revision", 1.3},
	{"", " (day case)", 0.75},
	{"Laparoscopic ", "", 1.1},
	{"Robotic-assisted ", "", 1.45},
	{"", ", bilateral", 1.8},
	{"", " with complications", 1.5},
	{"Minimally invasive ", "", 1.15},
	{"", " (outpatient)", 0.7},
	{"Paediatric ", "", 0.9},
	{"", " — premium package", 1.6},
	{"", " — follow-up care", 0.3},
	{"Emergency ", "", 1.4},
}

var firstNames = []string{
	"Alex", "Maria", "James", "Fatima", "Wei", "Aisha", "Carlos", "Elena", "Mehmet", "Priya",
	"John", "Sofia", "Ahmed", "Yuki", "David", "Ana", "Raj", "Olga", "Luca", "Chloe",
	"Hiroshi", "Leila", "Daniel", "Ines", "Kwame", "Sara", "Omar", "Emma", "Ravi", "Nadia",
	"Thomas", "Zeynep", "Miguel", "Hana", "Ivan", "Grace", "Arjun", "Lucia", "Samuel", "Mei",
	"Pedro", "Amara", "Jonas", "Layla", "Mateo", "Anika", "Kenji", "Noor", "Oliver", "Isabel",
	"Deniz", "Sam", "Tariq", "Eva", "Min-jun", "Chiara", "Kofi", "Julia", "Vikram", "Marta",
}

var lastNames = []string{
	"Carter", "Kaya", "Lee", "Garcia", "Müller", "Wang", "Khan", "Silva", "Rossi", "Nguyen",
	"Smith", "Yilmaz", "Patel", "Tanaka", "Kim", "Novak", "Haddad", "Jones", "Fernandez", "Schmidt",
	"Chen", "Ali", "Santos", "Dubois", "Kowalski", "Ivanov", "Sato", "Mensah", "Brown", "Demir",
	"Sharma", "Lopez", "Weber", "Park", "Costa", "Nielsen", "Ahmed", "Martin", "Okafor", "Russo",
	"Singh", "Hoffmann", "Rahman", "Moreau", "Andersen", "Popescu", "Cohen", "Takahashi", "Mendes", "Wilson",
	"Ozturk", "Reddy", "Horvat", "Tan", "Bakker", "Ramos", "Gonzalez", "Fischer", "Suzuki", "Hassan",
	"Taylor", "Mahmoud", "Moretti", "Jensen", "Petrov", "Romano", "Chowdhury", "Lim", "Vargas", "Berg",
}

// facilityWords make facility names that read like real ones.
var facilityWords = []string{
	"Memorial", "Central", "University", "St. Mary's", "St. Luke's", "Royal", "Sunrise", "Green Valley",
	"City", "General", "Riverside", "Lakeside", "Hope", "Mercy", "International", "Grand",
	"Pacific", "Heritage", "Unity", "Harmony", "Lifeline", "Meridian", "Crescent", "Horizon",
}

var streetNames = []string{
	"Main", "Oak", "Park", "Hospital", "Station", "Church", "Market", "Garden", "Lake", "Hill",
	"Cedar", "Elm", "Maple", "River", "King", "Queen", "Victoria", "Liberty", "Harbour", "Mill",
}

var streetKinds = []string{"Street", "Avenue", "Road", "Boulevard", "Lane", "Way"}
