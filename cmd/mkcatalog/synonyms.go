package main

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The synonym graph (synonyms.csv): directed edges "a patient who types
// term may mean synonym". Equivalences are written as two edges. Three
// sources, in order of trust:
//
//   - curated: the short hand-written list below (lay words and spelling
//     variants patients use for the catalogue's treatments);
//   - drg: the CMS lay names of each DRG → the DRG's name in the catalogue;
//   - medquad: MedQuAD focus ↔ each of its synonyms, for the topics that
//     touch the catalogue (their focus or a synonym is a phrase of some
//     treatment's name, definition or lay names), so the file stays small.
//
// When two sources give the same edge, the more trusted one is kept.

// synonymPair is one curated edge; Both makes it an equivalence.
type synonymPair struct {
	Term, Synonym string
	Both          bool
}

var curatedSynonyms = []synonymPair{
	// Lay words for treatments.
	{"nose job", "rhinoplasty", true},
	{"nose reshaping", "rhinoplasty", true},
	{"new hip", "hip replacement", false},
	{"new knee", "knee replacement", false},
	{"knee replacement", "knee arthroplasty", true},
	{"hip replacement", "hip arthroplasty", true},
	{"tkr", "total knee replacement", true},
	{"thr", "total hip replacement", true},
	{"joint replacement", "arthroplasty", true},
	{"heart attack", "myocardial infarction", true},
	{"heart attack", "acute myocardial infarction", false},
	{"mi", "myocardial infarction", false},
	{"ami", "acute myocardial infarction", false},
	{"ivf", "in vitro fertilisation", true},
	{"ivf", "in vitro fertilization", true},
	{"test tube baby", "in vitro fertilisation", false},
	{"boob job", "breast augmentation", true},
	{"breast augmentation", "breast implants", true},
	{"boob lift", "breast lift", false},
	{"tummy tuck", "abdominoplasty", true},
	{"eye laser", "lasik", false},
	{"laser eye surgery", "lasik", true},
	{"cabg", "coronary artery bypass graft", true},
	{"heart bypass", "coronary artery bypass", true},
	{"triple bypass", "heart bypass surgery", false},
	{"open heart surgery", "heart bypass surgery", false},
	{"stent", "angioplasty", false},
	{"weight loss surgery", "bariatric surgery", true},
	{"weight loss surgery", "gastric sleeve", false},
	{"weight loss surgery", "gastric bypass", false},
	{"stomach stapling", "gastric bypass", false},
	{"gastric sleeve", "sleeve gastrectomy", true},
	{"lap band", "gastric band", true},
	{"face lift", "facelift", true},
	{"facelift", "rhytidectomy", true},
	{"lipo", "liposuction", true},
	{"hair implant", "hair transplant", false},
	{"hair transplant", "hair restoration", true},
	{"tooth implant", "dental implant", true},
	{"teeth implants", "dental implant", false},
	{"cataract op", "cataract surgery", false},
	{"womb removal", "hysterectomy", true},
	{"gallbladder removal", "cholecystectomy", true},
	{"gall bladder", "gallbladder", true},
	{"ear pinning", "otoplasty", true},
	{"eyelid lift", "blepharoplasty", true},
	{"man boobs", "gynaecomastia surgery", false},
	{"tonsils out", "tonsillectomy", false},
	{"the snip", "vasectomy", false},
	{"hernia op", "hernia repair", false},
	{"veneers", "dental veneers", true},
	{"braces", "orthodontic braces", true},
	{"teeth whitening", "tooth whitening", true},
	{"root canal", "root canal treatment", true},
	{"keyhole surgery", "laparoscopic", false},
	{"valve replacement", "heart valve replacement", true},
	{"spine fusion", "spinal fusion", true},
	{"back surgery", "spinal fusion", false},
	{"bbl", "brazilian butt lift", true},
	{"mri", "magnetic resonance imaging", true},
	{"mri", "mri scan", false},
	{"stroke", "cerebral infarction", true},
	{"heart failure", "cardiac failure", true},
	{"blood poisoning", "sepsis", true},
	{"blood poisoning", "septicemia", true},
	{"copd", "chronic obstructive pulmonary disease", true},
	{"uti", "urinary tract infection", true},
	{"kidney failure", "renal failure", true},
	{"kidney stones", "lithotripsy", false},
	{"pacemaker fitting", "pacemaker implantation", true},
	// British and American spellings: the catalogue mixes both.
	{"fertilisation", "fertilization", true},
	{"haemorrhage", "hemorrhage", true},
	{"ischaemia", "ischemia", true},
	{"oesophagitis", "esophagitis", true},
	{"orthopaedic", "orthopedic", true},
	{"gynaecology", "gynecology", true},
	{"gynaecomastia", "gynecomastia", true},
	{"tumour", "tumor", true},
	{"paediatric", "pediatric", true},
	{"anaesthesia", "anesthesia", true},
	{"oedema", "edema", true},
}

// shortSynonyms are the terms under three letters a synonym may be: the
// abbreviations the catalogue itself uses. Other one- and two-letter terms
// ("A", "HD") are too ambiguous to expand.
var shortSynonyms = map[string]bool{"mi": true}

// synonymSourceRank orders sources by trust: a lower rank wins.
var synonymSourceRank = map[string]int{"curated": 0, "drg": 1, "medquad": 2}

// maxSynonymTerm caps a term's length: longer MedQuAD "synonyms" are
// descriptions, not words anyone types.
const maxSynonymTerm = 60

type synonymEdge struct{ Term, Synonym, Source string }

// synonymTerm normalises a term as the schema wants it (lower case, single
// spaces) and reports whether it is worth an edge. Generic words
// ("surgery", "stent") are refused from MedQuAD, where they would join
// unrelated topics, but not from the curated list.
func synonymTerm(s string, curated bool) (string, bool) {
	t := strings.Join(strings.Fields(strings.ToLower(cleanSpace(s))), " ")
	n := utf8.RuneCountInString(t)
	switch {
	case t == "" || n > maxSynonymTerm || strings.Contains(t, "|"):
		return "", false
	case n < 3 && !shortSynonyms[t]:
		return "", false
	case !strings.ContainsFunc(t, unicode.IsLetter):
		return "", false
	case !curated && medquadGeneric[phraseKey(t)]:
		return "", false
	}
	return t, true
}

var trailingParen = regexp.MustCompile(`\s*\([^)]*\)?\s*$`)

// buildSynonyms returns the edges of the graph, sorted by term and synonym
// (byte order).
func buildSynonyms(ts []*treatment, mq []medquadEntry) []synonymEdge {
	edges := map[[2]string]string{}
	add := func(term, syn, source string) {
		a, okA := synonymTerm(term, source == "curated")
		b, okB := synonymTerm(syn, source == "curated")
		if !okA || !okB || a == b {
			return
		}
		k := [2]string{a, b}
		if old, ok := edges[k]; !ok || synonymSourceRank[source] < synonymSourceRank[old] {
			edges[k] = source
		}
	}
	for _, p := range curatedSynonyms {
		add(p.Term, p.Synonym, "curated")
		if p.Both {
			add(p.Synonym, p.Term, "curated")
		}
	}
	// CMS lay names → the DRG's name, and the lay name without its
	// "(with complications)" remark, which is what a patient would type.
	for _, t := range ts {
		if t.drg == "" {
			continue
		}
		for _, lay := range t.official[1:] {
			add(lay, t.Name, "drg")
			add(trailingParen.ReplaceAllString(lay, ""), t.Name, "drg")
		}
	}
	// MedQuAD topics that touch the catalogue.
	known := map[string]bool{}
	for _, t := range ts {
		phrases(t.Name, known)
		for _, o := range t.official {
			phrases(o, known)
		}
		for _, l := range t.Lay {
			phrases(l, known)
		}
	}
	for _, e := range mq {
		if !entryMatches(e, known, known) {
			continue
		}
		for _, syn := range e.terms[1:] {
			add(e.terms[0], syn, "medquad")
			add(syn, e.terms[0], "medquad")
		}
	}
	out := make([]synonymEdge, 0, len(edges))
	for k, src := range edges {
		out = append(out, synonymEdge{k[0], k[1], src})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Term != out[j].Term {
			return out[i].Term < out[j].Term
		}
		return out[i].Synonym < out[j].Synonym
	})
	return out
}

func synonymRows(es []synonymEdge) [][]string {
	out := make([][]string, 0, len(es))
	for _, e := range es {
		out = append(out, []string{e.Term, e.Synonym, e.Source})
	}
	return out
}
