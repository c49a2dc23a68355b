package main

import (
	"regexp"
	"strings"
)

// A world-list facility's kind comes from what its source says it is: the
// Turkish Ministry's type ("Özel Göz Hastanesi"), Eurostat's facility type
// where a register gives one, and otherwise words in its name, in the
// languages of the lists ("Augenklinik", "Szpital Dziecięcy", "Hôpital
// psychiatrique"). A hospital whose name names no speciality is a general
// hospital: every source here lists it as a hospital.

// facilityKind is a kind of facility and the treatments such a facility
// performs: what a patient may ask it for, price on request.
type facilityKind struct {
	Slug       string   // facilities.csv kind
	Words      string   // how the offer source names it: "general hospital"
	Treatments []string // catalogue treatment names, checked when the catalogue is built
}

// Kinds of world-list facilities. The treatment lists are deliberately
// short and common: what nearly every facility of the kind does. They are
// not the facility's own list, and the offers say so in their source.
var (
	kindGeneral = &facilityKind{"hospital", "general hospital", []string{
		"Knee replacement", "Hip replacement", "Gallbladder removal (cholecystectomy)", "Hernia repair",
		"Hysterectomy", "MRI scan"}}
	kindUniversity = &facilityKind{"university_hospital", "university or teaching hospital", []string{
		"Knee replacement", "Hip replacement", "Gallbladder removal (cholecystectomy)", "Hernia repair",
		"Hysterectomy", "MRI scan", "Coronary angiography", "Angioplasty", "Heart bypass surgery",
		"Spinal fusion", "Cataract surgery"}}
	kindEye = &facilityKind{"eye_centre", "eye hospital", []string{
		"Cataract surgery", "LASIK laser eye surgery", "Glaucoma surgery", "Retinal detachment surgery",
		"Vitrectomy", "Cornea transplant"}}
	kindDental = &facilityKind{"dental_centre", "dental hospital", []string{
		"Dental implant", "Root canal treatment", "Dental crowns and bridges", "Dental fillings",
		"Tooth extraction", "Teeth cleaning"}}
	kindHeart = &facilityKind{"heart_centre", "heart hospital", []string{
		"Coronary angiography", "Angioplasty", "Heart bypass surgery", "Heart valve replacement",
		"Pacemaker implantation", "Cardiac radiofrequency ablation"}}
	kindOrtho = &facilityKind{"orthopaedic_centre", "orthopaedic hospital", []string{
		"Knee replacement", "Hip replacement", "Spinal fusion", "Knee arthroscopy", "Shoulder arthroscopy"}}
	kindWomen = &facilityKind{"maternity_hospital", "women's and maternity hospital", []string{
		"Hysterectomy", "Myomectomy (fibroid removal)", "Colposcopy", "Pelvic organ prolapse repair"}}
	kindChildren = &facilityKind{"childrens_hospital", "children's hospital", []string{
		"Tonsillectomy", "Adenoidectomy", "Hernia repair"}}
	kindCancer = &facilityKind{"cancer_centre", "cancer hospital", []string{
		"Breast cancer treatment", "Lung cancer treatment", "Prostate cancer treatment", "Thyroid cancer treatment"}}
	kindChest = &facilityKind{"chest_hospital", "chest diseases hospital", []string{
		"COPD treatment", "Lung cancer treatment", "Video-assisted thoracic surgery (VATS)"}}
	kindPsych = &facilityKind{"psychiatric_hospital", "psychiatric hospital", []string{
		"Addiction treatment", "Psychosocial support", "Neuropsychiatric assessment"}}
	kindRehab = &facilityKind{"rehabilitation_centre", "rehabilitation hospital", []string{
		"Physiotherapy", "Pain management"}}
	kindFertility = &facilityKind{"fertility_centre", "fertility clinic", []string{
		"In vitro fertilisation (IVF)", "Intrauterine insemination (IUI)", "Female infertility treatment",
		"Male infertility treatment"}}
)

// worldKinds lists every kind, for validation.
var worldKinds = []*facilityKind{kindGeneral, kindUniversity, kindEye, kindDental, kindHeart, kindOrtho,
	kindWomen, kindChildren, kindCancer, kindChest, kindPsych, kindRehab, kindFertility}

// trKinds maps the Turkish Ministry's types (kurum_tipi) to kinds.
var trKinds = map[string]*facilityKind{
	"Özel Genel Hastane":                            kindGeneral,
	"Özel Göz Hastanesi":                            kindEye,
	"Özel Kadın Hastalıkları ve Doğum Hastanesi":    kindWomen,
	"Özel Doğum Hastanesi":                          kindWomen,
	"Özel Fizik Tedavi ve Rehabilitasyon Hastanesi": kindRehab,
	"Özel Diş Hastanesi":                            kindDental,
	"Özel Ruh Sağlığı ve Hastalıkları Hastanesi":    kindPsych,
	"Özel Kalp Hastanesi":                           kindHeart,
	"Özel Kalp ve Damar Cerrahisi Hastanesi":        kindHeart,
	"Özel Çocuk Hastanesi":                          kindChildren,
	"Özel Göğüs Hastalıkları Hastanesi":             kindChest,
	"Özel Ortopedi ve Travmatoloji Hastanesi":       kindOrtho,
	"Devlet Hastanesi":                              kindGeneral,
	"Eğitim ve Araştırma Hastanesi":                 kindUniversity,
	"Ağız ve Diş Sağlığı Merkezi":                   kindDental,
}

// kindPatterns are tried in order on a name (and a register's type text);
// the first that matches gives the kind. Specialities come before
// "university", so a university eye clinic is an eye hospital.
var kindPatterns = []struct {
	re   *regexp.Regexp
	kind *facilityKind
}{
	{regexp.MustCompile(`(?i)\bdental|\bdent(al|aire|istry)\b|zahn|stomatolog|odontol|ağız ve diş|\bdiş\s|fogászat`), kindDental},
	{regexp.MustCompile(`(?i)\beye\b|augen|ophthalm|oftalm|\bgöz\s|oculist|okulist|szemészet|\boční|\bocular`), kindEye},
	{regexp.MustCompile(`(?i)\bheart\b|cardio|kardio|\bherz|\bkalp\b|corazón|cardiaque|cardíac|szív`), kindHeart},
	{regexp.MustCompile(`(?i)orthop|ortop|traumatolog|kemik hastalıkları|\bbone\b`), kindOrtho},
	{regexp.MustCompile(`(?i)\bcancer|onkolo|oncolo|oncológ|\bkrebs|tumou?r|cancérolog|radium`), kindCancer},
	{regexp.MustCompile(`(?i)fertility|\bivf\b|reproduct|tüp bebek`), kindFertility},
	{regexp.MustCompile(`(?i)\bwomen|\bwomen's|matern|obstetr|gynae?c|gineco|ginek|frauenklinik|geburt|\bkadın|\bdoğum|położ|porodn|szülész|women & children|women and children|perinat`), kindWomen},
	{regexp.MustCompile(`(?i)child|kinder|paediatr|pediatr|infantil|\bniños|enfant|dziecięc|dětsk|gyermek|çocuk|bambin|barn(e)?sykehus`), kindChildren},
	{regexp.MustCompile(`(?i)psychiatr|psiquiátr|psichiatr|\bmental|\bnerven|seelisch|\bruh sağlığı|santé mentale|salud mental|maladies mentales|\bpsych|\brus(behandling)?\b|addiction|sucht`), kindPsych},
	{regexp.MustCompile(`(?i)rehab|réadapt|readapt|\breha\b|fizik tedavi|\bssr\b|soins de suite|physical medicine|recuperare`), kindRehab},
	{regexp.MustCompile(`(?i)chest|thorax|thorac|pulmon|\blung|göğüs|tüdő|pneumo|tuberc|mellkas`), kindChest},
	{regexp.MustCompile(`(?i)universit|üniversite|\bteaching\b|eğitim ve araştırma|training and research|\bchu\b|\bchr\b|fakultn|uniklinik|klinikum der|medical college|faculty of medicine|tıp fakültesi|clínicas?\b.*universit|academ|akadem|klinikai központ`), kindUniversity},
}

// kindOf returns the kind a name and a source's type text say.
func kindOf(name, typeText string) *facilityKind {
	text := name + " " + typeText
	for _, p := range kindPatterns {
		if p.re.MatchString(text) {
			return p.kind
		}
	}
	return kindGeneral
}

// notAHospital matches what the world lists hold beside hospitals: historic
// buildings and institutions, long-term care, primary care, outpatient units,
// animal hospitals. The lists are large, so doubtful rows can be dropped.
var notAHospital = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`castle`, `\bformer\b`, `\bantig[ou]\b`, `\bancien`, `ehemalig`, `\bhistoric`, `\bruins?\b`, `\babbey\b`, `monaster`, `almshouse`, `workhouse`,
	`\bleper`, `lepros`, `lazaret`, `\basylum`, `quarantine`, `\bplague`, `pest ?house`, `field hospital`,
	`war hospital`, `reserve hospital`, `reservelazarett`, `\bmobile\b`, `hospital ship`, `sanatorium`,
	`anstalt`, `british military hospital`, `poste? (de )?sant[eé]`, `case (de )?sant[eé]`, `dispensa`,
	`health post`, `primary health`, `health cent(re|er)`, `centro de salud`, `centre de sant[eé]`,
	`puskesmas`, `\bhogar\b`, `nursing home`, `\behpad\b`, `\busld\b`, `hospice`, `pharmac`, `herbal`,
	`veterinar`, `\banimal`, `falcon`, `\bzoo\b`, `\bdoll`, `\bcmp\b`, `\bcattp\b`, `hôpital de jour`,
	`hopital de jour`, `\bhdj\b`, `domicile`, `longue dur[eé]e`, `larga estancia`, `geriatr`, `\bldn\b`,
	`následné`, `dlouhodob`, `pflegeheim`, `pirminės`, `\bseksjon\b`, `poliklinikk`, `\bbup\b`,
	`\bdps\b`, `røntgen`, `rendelőintézet`, `\brsa\b`, `lungodegenza`, `urgência básica`,
	`soins p[eé]riph[eé]rique`, `m[eé]dico-?social`, `\bmuseum`, `memorial site`, `\bcemetery`, `\bschool of nursing`,
}, "|"))

// qidLabel matches a Wikidata label that is only the item's id.
var qidLabel = regexp.MustCompile(`^Q\d+$`)
