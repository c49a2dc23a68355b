package main

import (
	"strings"
	"unicode"
)

// Turkish has two i's: dotted i/İ and dotless ı/I. Go's unicode.ToLower
// turns I into i and İ into i, which writes "HASTANESİ" as "hastanesi" but
// "AĞRI" as "ağri" and "KADIKÖY" as "kadiköy" (the Ministry's public list was
// lower-cased that way, which is why its district names are not used). These
// functions apply the Turkish rules instead.

func turkishLower(r rune) rune {
	switch r {
	case 'I':
		return 'ı'
	case 'İ':
		return 'i'
	}
	return unicode.ToLower(r)
}

func turkishUpper(r rune) rune {
	switch r {
	case 'i':
		return 'İ'
	case 'ı':
		return 'I'
	}
	return unicode.ToUpper(r)
}

// turkishAcronyms stay upper case in names; words without a vowel ("EPC",
// "KBB") are kept as acronyms too.
var turkishAcronyms = map[string]bool{"IMC": true, "TOBB": true, "ETÜ": true, "SGK": true, "MLP": true, "T.C.": true}

// turkishLowerWords are conjunctions written in lower case inside a name.
var turkishLowerWords = map[string]bool{"VE": true, "İLE": true}

// turkishTitle writes an upper-case Turkish name in proper case: "ÖZEL
// KADIN HASTALIKLARI VE DOĞUM HASTANESİ" → "Özel Kadın Hastalıkları ve
// Doğum Hastanesi", "BALIKESİR" → "Balıkesir". A letter is capitalised at
// the start of a word and after "-", "/", "(" or "."; a suffix after an
// apostrophe stays lower case ("BAHAT'IN" → "Bahat'ın").
func turkishTitle(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		switch {
		case turkishAcronyms[w] || !hasTurkishVowel(w):
			continue
		case turkishLowerWords[w] && i > 0:
			words[i] = strings.Map(turkishLower, w)
			continue
		}
		rs := []rune(w)
		capNext := true
		for j, r := range rs {
			switch {
			case unicode.IsLetter(r):
				if capNext {
					rs[j] = turkishUpper(turkishLower(r))
				} else {
					rs[j] = turkishLower(r)
				}
				capNext = false
			case unicode.IsDigit(r):
				capNext = false
			case r == '-' || r == '/' || r == '(' || r == '.':
				capNext = true
			default: // apostrophes and other marks: the suffix stays lower case
				capNext = false
			}
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

func hasTurkishVowel(w string) bool {
	return strings.ContainsAny(strings.Map(turkishUpper, w), "AEIİOÖUÜ")
}

// trProvinces are Turkey's 81 provinces by their official code (the licence
// plate number), as the Ministry's lists number them in il_kodu. The names
// are fixed facts; the public list's own province names were lower-cased
// without the Turkish rules ("Balikesi̇r", "Aydin"), so the code is used.
var trProvinces = [82]string{"",
	"Adana", "Adıyaman", "Afyonkarahisar", "Ağrı", "Amasya", "Ankara", "Antalya", "Artvin", "Aydın", "Balıkesir",
	"Bilecik", "Bingöl", "Bitlis", "Bolu", "Burdur", "Bursa", "Çanakkale", "Çankırı", "Çorum", "Denizli",
	"Diyarbakır", "Edirne", "Elazığ", "Erzincan", "Erzurum", "Eskişehir", "Gaziantep", "Giresun", "Gümüşhane", "Hakkâri",
	"Hatay", "Isparta", "Mersin", "İstanbul", "İzmir", "Kars", "Kastamonu", "Kayseri", "Kırklareli", "Kırşehir",
	"Kocaeli", "Konya", "Kütahya", "Malatya", "Manisa", "Kahramanmaraş", "Mardin", "Muğla", "Muş", "Nevşehir",
	"Niğde", "Ordu", "Rize", "Sakarya", "Samsun", "Siirt", "Sinop", "Sivas", "Tekirdağ", "Tokat",
	"Trabzon", "Tunceli", "Şanlıurfa", "Uşak", "Van", "Yozgat", "Zonguldak", "Aksaray", "Bayburt", "Karaman",
	"Kırıkkale", "Batman", "Şırnak", "Bartın", "Ardahan", "Iğdır", "Yalova", "Karabük", "Kilis", "Osmaniye",
	"Düzce",
}

// foldTurkish maps Turkish letters to plain Latin ones ("Şişli" → "sisli"),
// after lower-casing with the Turkish rules, so that names written with and
// without the Turkish letters compare equal.
func foldTurkish(s string) string {
	return strings.Map(func(r rune) rune {
		switch r = turkishLower(r); r {
		case 'ı':
			return 'i'
		case 'ş':
			return 's'
		case 'ğ':
			return 'g'
		case 'ç':
			return 'c'
		case 'ö':
			return 'o'
		case 'ü':
			return 'u'
		case 'â':
			return 'a'
		case '\u0307': // a combining dot left by lower-casing İ the Go way
			return -1
		}
		return r
	}, s)
}
