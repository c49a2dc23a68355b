package main

import (
	"fmt"
	"strings"
)

// translated gives a treatment's name and the words patients use for it in
// Spanish, French, German and Turkish. Each language is "Name|lay|lay…"
// (the name first, then 1–4 common lay terms). Key is the treatment's code
// ("DRG 470") or, for treatments without one, its name, so that the table
// survives renumbering; a key that matches no treatment stops the build.
//
// These are hand-written, checked translations of the terms patients and
// clinics use in those countries, not machine output.
type translated struct {
	Key            string
	ES, FR, DE, TR string
}

var treatmentTranslations = []translated{
	// The 21 treatments of the cross-country price table.
	{"Knee replacement",
		"Prótesis de rodilla|reemplazo de rodilla|artroplastia de rodilla|rodilla artificial",
		"Prothèse du genou|prothèse totale du genou|PTG|arthroplastie du genou",
		"Knieprothese|Knie-TEP|künstliches Kniegelenk|Kniegelenkersatz",
		"Diz protezi|diz protezi ameliyatı|yapay diz|diz artroplastisi"},
	{"Hip replacement",
		"Prótesis de cadera|reemplazo de cadera|artroplastia de cadera|cadera artificial",
		"Prothèse de hanche|prothèse totale de hanche|PTH|arthroplastie de la hanche",
		"Hüftprothese|Hüft-TEP|künstliches Hüftgelenk|Hüftgelenkersatz",
		"Kalça protezi|kalça protezi ameliyatı|yapay kalça|kalça artroplastisi"},
	{"Rhinoplasty",
		"Rinoplastia|cirugía de nariz|operación de nariz|cirugía estética de nariz",
		"Rhinoplastie|chirurgie du nez|chirurgie esthétique du nez|refaire le nez",
		"Nasenkorrektur|Nasen-OP|Rhinoplastik|Nasenoperation",
		"Burun estetiği|rinoplasti|burun ameliyatı"},
	{"In vitro fertilisation (IVF)",
		"Fecundación in vitro (FIV)|FIV|bebé probeta|reproducción asistida",
		"Fécondation in vitro (FIV)|FIV|bébé éprouvette|procréation médicalement assistée",
		"In-vitro-Fertilisation (IVF)|künstliche Befruchtung|IVF|Kinderwunschbehandlung",
		"Tüp bebek (IVF)|tüp bebek tedavisi|IVF|yardımcı üreme tedavisi"},
	{"LASIK laser eye surgery",
		"Cirugía láser LASIK|cirugía refractiva|operación de miopía|láser ocular",
		"Chirurgie laser LASIK|chirurgie réfractive|opération de la myopie|laser des yeux",
		"LASIK-Augenlaserbehandlung|Augenlasern|Augenlaser-OP|refraktive Chirurgie",
		"LASIK lazer göz ameliyatı|lazer göz ameliyatı|göz lazeri|miyop ameliyatı"},
	{"Cataract surgery",
		"Cirugía de cataratas|operación de cataratas|facoemulsificación|cataratas",
		"Chirurgie de la cataracte|opération de la cataracte|phacoémulsification|cataracte",
		"Grauer-Star-Operation|Katarakt-OP|Kataraktoperation|grauer Star",
		"Katarakt ameliyatı|perde ameliyatı|katarakt|fakoemülsifikasyon"},
	{"Dental implant",
		"Implante dental|implantes dentales|implante de diente|all-on-4",
		"Implant dentaire|implants dentaires|dent sur implant|all-on-4",
		"Zahnimplantat|Zahnimplantate|künstliche Zahnwurzel|All-on-4",
		"Diş implantı|implant|implant diş|all-on-4"},
	{"Gastric sleeve",
		"Manga gástrica|gastrectomía en manga|gastrectomía vertical|cirugía bariátrica",
		"Sleeve gastrectomie|sleeve|gastrectomie longitudinale|chirurgie bariatrique",
		"Schlauchmagen|Schlauchmagen-OP|Sleeve-Gastrektomie|Magenverkleinerung",
		"Tüp mide ameliyatı|tüp mide|sleeve gastrektomi|obezite ameliyatı"},
	{"Gastric bypass",
		"Bypass gástrico|cirugía de bypass gástrico|cirugía de la obesidad|cirugía bariátrica",
		"Bypass gastrique|by-pass gastrique|court-circuit gastrique|chirurgie de l'obésité",
		"Magenbypass|Magenbypass-OP|Roux-en-Y-Magenbypass|Adipositaschirurgie",
		"Mide bypass ameliyatı|gastrik bypass|mide bypassı|obezite ameliyatı"},
	{"Heart bypass surgery",
		"Cirugía de bypass coronario|bypass coronario|baipás del corazón|cirugía a corazón abierto",
		"Pontage coronarien|pontage aorto-coronarien|pontage du cœur|chirurgie à cœur ouvert",
		"Bypass-Operation am Herzen|Herz-Bypass|Bypass-OP|koronare Bypass-Operation",
		"Koroner bypass ameliyatı|kalp bypass ameliyatı|bypass ameliyatı|açık kalp ameliyatı"},
	{"Breast implants",
		"Implantes mamarios|aumento de senos|aumento de pecho|mamoplastia de aumento",
		"Implants mammaires|augmentation mammaire|prothèses mammaires|augmentation des seins",
		"Brustimplantate|Brustvergrößerung|Brust-OP|Brustaugmentation",
		"Meme implantı|meme büyütme|göğüs büyütme|silikon meme"},
	{"Tummy tuck",
		"Abdominoplastia|cirugía de abdomen|lipectomía abdominal",
		"Abdominoplastie|plastie abdominale|chirurgie du ventre",
		"Bauchdeckenstraffung|Bauchstraffung|Abdominoplastik",
		"Karın germe|abdominoplasti|karın germe ameliyatı"},
	{"Face lift",
		"Lifting facial|estiramiento facial|ritidectomía",
		"Lifting du visage|lifting facial|lifting cervico-facial|rhytidectomie",
		"Facelift|Gesichtsstraffung|Facelifting",
		"Yüz germe|yüz germe ameliyatı|face lift"},
	{"Liposuction",
		"Liposucción|lipo|lipoescultura",
		"Liposuccion|lipoaspiration|lipo",
		"Fettabsaugung|Liposuktion|Fett absaugen",
		"Liposuction (yağ aldırma)|yağ aldırma|yağ alma ameliyatı|liposakşın"},
	{"Hysterectomy",
		"Histerectomía|extirpación del útero|quitar la matriz",
		"Hystérectomie|ablation de l'utérus",
		"Hysterektomie|Gebärmutterentfernung|Entfernung der Gebärmutter",
		"Histerektomi|rahim alınması|rahim ameliyatı"},
	{"Spinal fusion",
		"Fusión vertebral|artrodesis vertebral|fusión espinal|cirugía de columna",
		"Arthrodèse vertébrale|fusion vertébrale|opération du dos",
		"Wirbelsäulenversteifung|Spondylodese|Rückenoperation",
		"Omurga füzyonu|spinal füzyon|omurga ameliyatı"},
	{"Angioplasty",
		"Angioplastia|stent coronario|angioplastia con balón|cateterismo con stent",
		"Angioplastie|pose de stent|angioplastie coronaire|dilatation coronaire",
		"Angioplastie|Stent|Ballondilatation|Herzkatheter mit Stent",
		"Anjiyoplasti|stent takılması|balon anjiyoplasti|kalp stenti"},
	{"Heart valve replacement",
		"Reemplazo de válvula cardíaca|cambio de válvula del corazón|reemplazo de válvula aórtica",
		"Remplacement de valve cardiaque|remplacement valvulaire|remplacement de la valve aortique",
		"Herzklappenersatz|Herzklappen-OP|Aortenklappenersatz|künstliche Herzklappe",
		"Kalp kapağı değişimi|kapak ameliyatı|aort kapak değişimi|mitral kapak değişimi"},
	{"Hip resurfacing",
		"Recubrimiento de cadera|resurfacing de cadera|prótesis de superficie de cadera",
		"Resurfaçage de hanche|prothèse de resurfaçage",
		"Hüftkappenprothese|Oberflächenersatz der Hüfte|Kappenprothese",
		"Kalça yüzey protezi|yüzey protezi"},
	{"Lap band surgery",
		"Banda gástrica|banda gástrica ajustable",
		"Anneau gastrique|anneau gastrique ajustable|gastroplastie par anneau",
		"Magenband|Magenband-OP|anpassbares Magenband",
		"Mide bandı|gastrik band|ayarlanabilir mide bandı"},
	{"Cornea transplant",
		"Trasplante de córnea|queratoplastia|injerto de córnea",
		"Greffe de cornée|kératoplastie|transplantation de cornée",
		"Hornhauttransplantation|Keratoplastik|Hornhautverpflanzung",
		"Kornea nakli|keratoplasti|kornea transplantasyonu"},

	// US DRGs patients look for by their everyday names.
	{"DRG 469",
		"Reemplazo de articulación mayor de la extremidad inferior con complicaciones mayores|prótesis de rodilla|prótesis de cadera",
		"Remplacement d'une articulation majeure du membre inférieur avec complication majeure|prothèse du genou|prothèse de hanche",
		"Gelenkersatz an Hüfte oder Knie mit schweren Komplikationen|Knieprothese|Hüftprothese|Knie-TEP|Hüft-TEP",
		"Alt ekstremite büyük eklem protezi, majör komplikasyonlu|diz protezi|kalça protezi"},
	{"DRG 470",
		"Reemplazo de articulación mayor de la extremidad inferior sin complicaciones mayores|prótesis de rodilla|prótesis de cadera",
		"Remplacement d'une articulation majeure du membre inférieur sans complication majeure|prothèse du genou|prothèse de hanche",
		"Gelenkersatz an Hüfte oder Knie ohne schwere Komplikationen|Knieprothese|Hüftprothese|Knie-TEP|Hüft-TEP",
		"Alt ekstremite büyük eklem protezi, majör komplikasyonsuz|diz protezi|kalça protezi"},
	{"DRG 280",
		"Infarto agudo de miocardio, alta con vida, con complicaciones mayores|infarto|ataque al corazón|ataque cardíaco",
		"Infarctus aigu du myocarde, sorti vivant, avec complication majeure|crise cardiaque|infarctus",
		"Akuter Myokardinfarkt, lebend entlassen, mit schweren Komplikationen|Herzinfarkt|Herzanfall",
		"Akut miyokard enfarktüsü, taburcu, majör komplikasyonlu|kalp krizi|enfarktüs"},
	{"DRG 281",
		"Infarto agudo de miocardio, alta con vida, con complicaciones|infarto|ataque al corazón|ataque cardíaco",
		"Infarctus aigu du myocarde, sorti vivant, avec complication|crise cardiaque|infarctus",
		"Akuter Myokardinfarkt, lebend entlassen, mit Komplikationen|Herzinfarkt|Herzanfall",
		"Akut miyokard enfarktüsü, taburcu, komplikasyonlu|kalp krizi|enfarktüs"},
	{"DRG 282",
		"Infarto agudo de miocardio, alta con vida, sin complicaciones|infarto|ataque al corazón|ataque cardíaco",
		"Infarctus aigu du myocarde, sorti vivant, sans complication|crise cardiaque|infarctus",
		"Akuter Myokardinfarkt, lebend entlassen, ohne Komplikationen|Herzinfarkt|Herzanfall",
		"Akut miyokard enfarktüsü, taburcu, komplikasyonsuz|kalp krizi|enfarktüs"},
	{"DRG 419",
		"Extirpación de la vesícula biliar|colecistectomía|operación de vesícula",
		"Ablation de la vésicule biliaire|cholécystectomie|opération de la vésicule",
		"Gallenblasenentfernung|Cholezystektomie|Gallen-OP",
		"Safra kesesi ameliyatı|kolesistektomi|safra kesesi alınması"},

	// Treatments of the medical-tourism listings.
	{"Gallbladder removal (cholecystectomy)",
		"Extirpación de la vesícula biliar (colecistectomía)|colecistectomía|operación de vesícula|cálculos biliares",
		"Ablation de la vésicule biliaire (cholécystectomie)|cholécystectomie|opération de la vésicule|calculs biliaires",
		"Gallenblasenentfernung (Cholezystektomie)|Cholezystektomie|Gallen-OP|Gallensteine",
		"Safra kesesi ameliyatı (kolesistektomi)|kolesistektomi|safra kesesi alınması|safra taşı"},
	{"Hair transplant",
		"Trasplante capilar|injerto de pelo|implante capilar|FUE",
		"Greffe de cheveux|greffe capillaire|implant capillaire|FUE",
		"Haartransplantation|Haarverpflanzung|Eigenhaartransplantation|FUE",
		"Saç ekimi|saç nakli|FUE saç ekimi|DHI"},
	{"Teeth whitening",
		"Blanqueamiento dental|blanquear los dientes",
		"Blanchiment des dents|blanchiment dentaire",
		"Zahnaufhellung|Bleaching|Zähne bleichen",
		"Diş beyazlatma|bleaching"},
	{"Root canal treatment",
		"Endodoncia|tratamiento de conducto|matar el nervio",
		"Traitement de canal|dévitalisation|traitement endodontique",
		"Wurzelbehandlung|Wurzelkanalbehandlung",
		"Kanal tedavisi|diş kanal tedavisi|endodonti"},
	{"Dental crowns and bridges",
		"Coronas y puentes dentales|corona dental|funda dental|puente dental",
		"Couronnes et bridges dentaires|couronne dentaire|bridge dentaire",
		"Zahnkronen und Brücken|Zahnkrone|Zahnbrücke",
		"Diş kaplama ve köprü|diş kaplama|zirkonyum kaplama|köprü"},
	{"Dental veneers",
		"Carillas dentales|carillas de porcelana",
		"Facettes dentaires|facettes en céramique",
		"Veneers|Verblendschalen|Keramikveneers",
		"Diş laminası|lamina|yaprak porselen"},
	{"Orthodontic braces",
		"Ortodoncia|brackets|aparato dental|alineadores invisibles",
		"Orthodontie|appareil dentaire|bagues|aligneurs invisibles",
		"Zahnspange|kieferorthopädische Behandlung|feste Zahnspange|unsichtbare Aligner",
		"Ortodonti|diş teli|şeffaf plak"},
	{"Wisdom tooth extraction",
		"Extracción de muelas del juicio|muela del juicio|cordales",
		"Extraction des dents de sagesse|dents de sagesse",
		"Weisheitszahnentfernung|Weisheitszähne ziehen|Weisheitszahn-OP",
		"Yirmilik diş çekimi|20'lik diş çekimi|gömülü diş"},
	{"Full dentures",
		"Dentadura completa|dentadura postiza|prótesis dental completa",
		"Prothèse dentaire complète|dentier",
		"Vollprothese|Gebiss|dritte Zähne",
		"Tam protez|takma diş|total protez"},
	{"Eyelid surgery (blepharoplasty)",
		"Blefaroplastia|cirugía de párpados|bolsas en los ojos",
		"Blépharoplastie|chirurgie des paupières|poches sous les yeux",
		"Lidstraffung|Lidkorrektur|Blepharoplastik|Schlupflider",
		"Göz kapağı estetiği|blefaroplasti|göz kapağı ameliyatı|göz altı torbası"},
	{"Breast lift",
		"Elevación de senos|mastopexia|levantamiento de pecho",
		"Lifting des seins|mastopexie",
		"Bruststraffung|Mastopexie",
		"Meme dikleştirme|göğüs dikleştirme|meme kaldırma"},
	{"Breast reduction",
		"Reducción de senos|mamoplastia de reducción|reducción de pecho",
		"Réduction mammaire|plastie mammaire de réduction",
		"Brustverkleinerung|Reduktionsplastik",
		"Meme küçültme|göğüs küçültme"},
	{"Botox injections",
		"Inyecciones de bótox|bótox|toxina botulínica",
		"Injections de Botox|botox|toxine botulique",
		"Botox-Behandlung|Botox|Botulinumtoxin",
		"Botoks|botoks uygulaması|botulinum toksini"},
	{"Dermal fillers",
		"Rellenos dérmicos|ácido hialurónico|relleno de labios",
		"Injections d'acide hyaluronique|fillers|comblement des rides",
		"Filler-Behandlung|Hyaluronsäure|Faltenunterspritzung",
		"Yüz dolgusu|dolgu|hyaluronik asit|dudak dolgusu"},
	{"Laser hair removal",
		"Depilación láser|depilación definitiva",
		"Épilation laser|épilation définitive",
		"Laser-Haarentfernung|dauerhafte Haarentfernung",
		"Lazer epilasyon|epilasyon|kalıcı tüy alma"},
	{"Hernia repair",
		"Reparación de hernia|hernia|hernioplastia|hernia inguinal",
		"Cure de hernie|hernie|opération de la hernie|hernie inguinale",
		"Hernienoperation|Leistenbruch-OP|Bruchoperation|Leistenbruch",
		"Fıtık ameliyatı|fıtık|kasık fıtığı ameliyatı"},
	{"Kidney transplant",
		"Trasplante de riñón|trasplante renal",
		"Greffe de rein|transplantation rénale",
		"Nierentransplantation|Nierenverpflanzung",
		"Böbrek nakli|böbrek transplantasyonu"},
	{"Liver transplant",
		"Trasplante de hígado|trasplante hepático",
		"Greffe du foie|transplantation hépatique",
		"Lebertransplantation|Leberverpflanzung",
		"Karaciğer nakli|karaciğer transplantasyonu"},
	{"Bone marrow transplant",
		"Trasplante de médula ósea|trasplante de células madre",
		"Greffe de moelle osseuse|greffe de cellules souches",
		"Knochenmarktransplantation|Stammzelltransplantation",
		"Kemik iliği nakli|kök hücre nakli"},
	{"Knee arthroscopy",
		"Artroscopia de rodilla|cirugía de menisco",
		"Arthroscopie du genou|opération du ménisque",
		"Kniearthroskopie|Kniespiegelung|Meniskus-OP",
		"Diz artroskopisi|kapalı diz ameliyatı|menisküs ameliyatı"},
	{"Pacemaker implantation",
		"Implante de marcapasos|marcapasos",
		"Pose de pacemaker|stimulateur cardiaque|pacemaker",
		"Herzschrittmacher-Implantation|Herzschrittmacher|Schrittmacher",
		"Kalp pili takılması|kalp pili|pacemaker"},
	{"Tonsillectomy",
		"Amigdalectomía|extirpación de amígdalas|operación de anginas",
		"Amygdalectomie|ablation des amygdales",
		"Mandelentfernung|Tonsillektomie|Mandel-OP",
		"Bademcik ameliyatı|tonsillektomi|bademcik alınması"},
	{"Septoplasty",
		"Septoplastia|tabique desviado|cirugía de tabique nasal",
		"Septoplastie|déviation de la cloison nasale",
		"Septumplastik|Nasenscheidewand-OP|Nasenscheidewandbegradigung",
		"Septoplasti|burun eğriliği ameliyatı|septum deviasyonu"},
	{"Colonoscopy",
		"Colonoscopia",
		"Coloscopie",
		"Darmspiegelung|Koloskopie",
		"Kolonoskopi|kalın bağırsak endoskopisi"},
	{"MRI scan",
		"Resonancia magnética|RM|resonancia",
		"IRM|imagerie par résonance magnétique",
		"MRT|Kernspintomographie|Magnetresonanztomographie",
		"MR çekimi|MR|manyetik rezonans"},
	{"Kidney stone treatment (lithotripsy)",
		"Tratamiento de cálculos renales (litotricia)|piedras en el riñón|litotricia",
		"Traitement des calculs rénaux (lithotritie)|calculs rénaux|lithotritie",
		"Nierensteinbehandlung (Lithotripsie)|Nierensteine|Nierensteinzertrümmerung|Lithotripsie",
		"Böbrek taşı tedavisi (litotripsi)|böbrek taşı|taş kırma|ESWL"},
	{"Otoplasty (ear pinning)",
		"Otoplastia|orejas de soplillo|cirugía de orejas",
		"Otoplastie|oreilles décollées",
		"Ohrenkorrektur|Otoplastik|abstehende Ohren",
		"Kepçe kulak ameliyatı|otoplasti|kulak estetiği"},
	{"Gynaecomastia surgery",
		"Cirugía de ginecomastia|ginecomastia|reducción de pecho masculino",
		"Chirurgie de la gynécomastie|gynécomastie",
		"Gynäkomastie-OP|Männerbrust-OP|Gynäkomastie",
		"Jinekomasti ameliyatı|jinekomasti|erkek meme küçültme"},
	{"Vasectomy",
		"Vasectomía",
		"Vasectomie|stérilisation masculine",
		"Vasektomie|Sterilisation beim Mann",
		"Vazektomi|erkek kısırlaştırma"},
	{"Varicose vein treatment",
		"Tratamiento de varices|varices|várices",
		"Traitement des varices|varices|stripping des varices",
		"Krampfaderbehandlung|Krampfadern|Varizen|Krampfader-OP",
		"Varis tedavisi|varis|varis ameliyatı"},
	{"Glaucoma surgery",
		"Cirugía de glaucoma|glaucoma",
		"Chirurgie du glaucome|glaucome",
		"Glaukom-Operation|grüner Star|Glaukom",
		"Glokom ameliyatı|göz tansiyonu|glokom"},
	{"Shoulder replacement",
		"Prótesis de hombro|reemplazo de hombro",
		"Prothèse d'épaule|arthroplastie de l'épaule",
		"Schulterprothese|künstliches Schultergelenk|Schulter-TEP",
		"Omuz protezi|omuz protezi ameliyatı"},
	{"Intrauterine insemination (IUI)",
		"Inseminación intrauterina (IIU)|inseminación artificial",
		"Insémination intra-utérine (IIU)|insémination artificielle",
		"Intrauterine Insemination (IUI)|künstliche Insemination|Samenübertragung",
		"Aşılama (IUI)|rahim içi aşılama|intrauterin inseminasyon"},
	{"Upper GI endoscopy (gastroscopy)",
		"Endoscopia digestiva alta (gastroscopia)|gastroscopia",
		"Gastroscopie|fibroscopie gastrique|endoscopie digestive haute",
		"Magenspiegelung|Gastroskopie",
		"Üst gastrointestinal endoskopi (gastroskopi)|mide endoskopisi|gastroskopi|endoskopi"},
	{"Dialysis",
		"Diálisis|hemodiálisis",
		"Dialyse|hémodialyse",
		"Dialyse|Blutwäsche|Hämodialyse",
		"Diyaliz|hemodiyaliz"},
	{"Physiotherapy",
		"Fisioterapia|rehabilitación",
		"Kinésithérapie|physiothérapie|kiné",
		"Physiotherapie|Krankengymnastik",
		"Fizik tedavi|fizyoterapi"},
	{"Circumcision",
		"Circuncisión",
		"Circoncision",
		"Beschneidung|Zirkumzision",
		"Sünnet|sünnet ameliyatı"},
}

// translationRow is one row of treatment_translations.csv.
type translationRow struct {
	TreatmentID int
	Lang, Name  string
	Lay         []string
}

// buildTranslations resolves the table's keys to treatments and returns one
// row per treatment and language: by treatment id, then es, fr, de, tr.
func buildTranslations(ts []*treatment) ([]translationRow, error) {
	byKey := map[string]*treatment{}
	for _, t := range ts {
		if t.Code != "" {
			byKey[t.Code] = t
		} else {
			byKey[t.Name] = t
		}
	}
	seen := map[int]bool{}
	byID := map[int][]translationRow{}
	for _, tr := range treatmentTranslations {
		t := byKey[tr.Key]
		if t == nil {
			return nil, fmt.Errorf("translations: no treatment %q", tr.Key)
		}
		if seen[t.ID] {
			return nil, fmt.Errorf("translations: %q listed twice", tr.Key)
		}
		seen[t.ID] = true
		for _, l := range []struct{ lang, text string }{{"es", tr.ES}, {"fr", tr.FR}, {"de", tr.DE}, {"tr", tr.TR}} {
			parts := strings.Split(l.text, "|")
			name := strings.TrimSpace(parts[0])
			if name == "" {
				return nil, fmt.Errorf("translations: %q has no %s name", tr.Key, l.lang)
			}
			byID[t.ID] = append(byID[t.ID], translationRow{TreatmentID: t.ID, Lang: l.lang, Name: name,
				Lay: capLay(name, parts[1:])})
		}
	}
	var out []translationRow
	for _, t := range ts {
		out = append(out, byID[t.ID]...)
	}
	return out, nil
}

func translationRows(rows []translationRow) [][]string {
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, []string{itoa(r.TreatmentID), r.Lang, r.Name, joinList(r.Lay)})
	}
	return out
}
