package search

// SynonymEdge says that a patient who types Term may mean Synonym: "nose job"
// → "rhinoplasty". Edges are directed; an equivalence is two edges. Source
// says where the edge came from (medquad, drg, curated).
type SynonymEdge struct {
	Term    string
	Synonym string
	Source  string
}
