package main

import (
	"slices"
	"testing"
)

func TestTurkishTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ÖZEL KADIN HASTALIKLARI VE DOĞUM HASTANESİ", "Özel Kadın Hastalıkları ve Doğum Hastanesi"},
		{"BALIKESİR", "Balıkesir"},
		{"AĞRI", "Ağrı"},
		{"IĞDIR", "Iğdır"},
		{"İSTANBUL", "İstanbul"},
		{"KADIKÖY", "Kadıköy"},
		{"ÖZEL ŞİŞLİ KOLAN İNTERNATIONAL HOSPİTAL HASTANESİ", "Özel Şişli Kolan International Hospital Hastanesi"},
		{"ÖZEL DR.SADIK AHMET HASTANESİ", "Özel Dr.Sadık Ahmet Hastanesi"},
		{"ÖZEL BAHAT'IN HASTANESİ", "Özel Bahat'ın Hastanesi"},
		{"ÖZEL EPC HASTANESİ", "Özel EPC Hastanesi"}, // no vowel: an acronym
		{"ÖZEL IMC HASTANESİ", "Özel IMC Hastanesi"}, // a known acronym
		{"KDZ. EREĞLİ ÖZEL ANKA HASTANESİ", "Kdz. Ereğli Özel Anka Hastanesi"},
		{"ÖZEL 19 MAYIS HASTANESİ", "Özel 19 Mayıs Hastanesi"},
		{"VE", "Ve"}, // a conjunction only inside a name
	}
	for _, tc := range tests {
		if got := turkishTitle(tc.in); got != tc.want {
			t.Errorf("turkishTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct{ name, typeText, want string }{
		{"Özel Dünyagöz Hastanesi Konya", "", "hospital"}, // "göz" inside a word is not the eye word
		{"Özel Kudret Göz Hastanesi", "", "eye_centre"},
		{"Augenklinik Universitätsklinikum Freiburg", "", "eye_centre"},
		{"Ankara Ağız ve Diş Sağlığı Hastanesi", "", "dental_centre"},
		{"MediClin Herzzentrum Lahr/Baden", "", "heart_centre"},
		{"Hospital of Traumatology and Orthopaedics", "", "orthopaedic_centre"},
		{"Latvijas Onkoloģijas centrs", "", "cancer_centre"},
		{"KK Women's and Children's Hospital", "", "maternity_hospital"},
		{"Hospital Nacional de Niños", "", "childrens_hospital"},
		{"HOSPITAL PSIQUIÀTRIC", "PSIQUIÁTRICO", "psychiatric_hospital"},
		{"Özel Bursa Romatem Fizik Tedavi ve Rehabilitasyon Hast", "", "rehabilitation_centre"},
		{"Süreyyapaşa Göğüs Hastalıkları Hastanesi", "", "chest_hospital"},
		{"IVI Middle East Fertility Clinic", "", "fertility_centre"},
		{"Şişli Etfal Eğitim ve Araştırma Hastanesi", "", "university_hospital"},
		{"Hospital Universitario San Ignacio", "", "university_hospital"},
		{"Bumrungrad Hospital", "", "hospital"},
	}
	for _, tc := range tests {
		if got := kindOf(tc.name, tc.typeText).Slug; got != tc.want {
			t.Errorf("kindOf(%q, %q) = %s, want %s", tc.name, tc.typeText, got, tc.want)
		}
	}
}

func TestNotAHospital(t *testing.T) {
	tests := []struct {
		name string
		drop bool
	}{
		{"Bumrungrad Hospital", false},
		{"Hospital Clínica Bíblica", false},
		{"Sanatorio Durán", false}, // a Latin American sanatorio is a private hospital
		{"British Military Hospital, Singapore", true},
		{"Argentine Air Force Mobile Field Hospital", true},
		{"Abu Dhabi Falcon Hospital", true},
		{"Poste de sante de Diorbivol", true},
		{"Case de Sante Ansde Balla", true},
		{"Tama Zenshōen Sanatorium", true},
		{"Antigo Hospital Coração de Jesus", true},
		{"EHPAD - USLD DU CH D'OLORON-SAINTE-MARIE", true},
		{"Baisogalos pirminės sveikatos priežiūros centras", true},
		{"OSLO UNIVERSITETSSYKEHUS, SEKSJON BUP OSLO NORD, NYDALEN", true},
	}
	for _, tc := range tests {
		if got := notAHospital.MatchString(tc.name); got != tc.drop {
			t.Errorf("notAHospital(%q) = %v, want %v", tc.name, got, tc.drop)
		}
	}
}

func TestCzechMojibake(t *testing.T) {
	if got := czechMojibake.Replace("Nemocnice Nové Mìsto na Moravì, pøíspìvková organizace"); got != "Nemocnice Nové Město na Moravě, příspěvková organizace" {
		t.Errorf("repaired %q", got)
	}
}

func site(name, cc string, lat, lon float64, source string) *worldSite {
	s := &worldSite{Name: name, CC: cc, Lat: lat, Lon: lon, HasCoord: lat != 0, sources: []string{source}}
	s.nameKey = nameKey(name)
	return s
}

// TestMergeByProximity: a hospital in Eurostat and Wikidata becomes one
// site with both sources, across languages; a namesake too far away, or a
// different hospital next door, stays apart.
func TestMergeByProximity(t *testing.T) {
	freiburg := site("Universitätsklinikum Freiburg", "DE", 48.0060, 7.8380, "eurostat:DE_1")
	upper := site("HOSPITAL CLÍNIC DE BARCELONA", "ES", 41.3893, 2.1520, "eurostat:ES_1")
	eu := []*worldSite{freiburg, upper}
	wiki := []*worldSite{
		site("University Medical Center Freiburg", "DE", 48.006389, 7.837778, "wikidata:Q127773"),
		site("Universitätsklinikum Freiburg", "DE", 47.80, 7.84, "wikidata:Q2"),    // 22 km away
		site("Loretto-Krankenhaus Freiburg", "DE", 48.0050, 7.8390, "wikidata:Q3"), // next door, another name
		site("Hospital Clínic de Barcelona", "ES", 41.3895, 2.1525, "wikidata:Q4"),
		site("Hospital Clínic de Barcelona", "FR", 41.3895, 2.1525, "wikidata:Q5"), // another country
	}
	left := mergeByProximity(eu, wiki)
	if want := []string{"eurostat:DE_1", "wikidata:Q127773"}; !slices.Equal(freiburg.sources, want) {
		t.Errorf("Freiburg sources %v, want %v", freiburg.sources, want)
	}
	if upper.Name != "Hospital Clínic de Barcelona" || !slices.Equal(upper.sources, []string{"eurostat:ES_1", "wikidata:Q4"}) {
		t.Errorf("Barcelona: %q %v; want Wikidata's mixed-case name and both sources", upper.Name, upper.sources)
	}
	var ids []string
	for _, s := range left {
		ids = append(ids, s.sources[0])
	}
	if want := []string{"wikidata:Q2", "wikidata:Q3", "wikidata:Q5"}; !slices.Equal(ids, want) {
		t.Errorf("left %v, want %v", ids, want)
	}
}

// TestMergeByName: the Ministry's lists have no coordinates, so a
// Wikidata hospital is merged by name, and only when the name is unique on
// both sides.
func TestMergeByName(t *testing.T) {
	malatya := site("Malatya Devlet Hastanesi", "TR", 0, 0, "tr-moh-public")
	twin1 := site("Özel Anadolu Hastanesi", "TR", 0, 0, "tr-moh-private")
	twin2 := site("Özel Anadolu Hastanesi", "TR", 0, 0, "tr-moh-private")
	wiki := []*worldSite{
		site("Malatya State Hospital", "TR", 38.35, 38.31, "wikidata:Q1"),
		site("Anadolu Hospital", "TR", 40.1, 29.0, "wikidata:Q2"),
	}
	left := mergeByName([]*worldSite{malatya, twin1, twin2}, wiki)
	if !malatya.HasCoord || malatya.Lat != 38.35 || !slices.Equal(malatya.sources, []string{"tr-moh-public", "wikidata:Q1"}) {
		t.Errorf("Malatya: %+v", malatya)
	}
	if len(twin1.sources) != 1 || len(twin2.sources) != 1 || len(left) != 1 || left[0].sources[0] != "wikidata:Q2" {
		t.Errorf("an ambiguous name was merged: %v %v, left %d", twin1.sources, twin2.sources, len(left))
	}
}
