package search

import (
	"math"
)

// Trust ranking. A hit's score is its text relevance times its trust:
//
//	score = relevance × trust
//	trust = 0.6 + 0.25·rating + 0.1·accredited + 0.05·priced
//	rating = (bayes − 1) / 4, bayes = (n·r + m·μ) / (n + m), m = 10, μ = 3.5
//
// r is the 1–5 star rating and n the number of reviews behind it: with few
// reviews the rating is pulled toward the prior μ, so a 5.0 from two reviews
// does not beat a 4.7 from two thousand. An unrated record counts as μ.
// accredited is 1 when the facility holds any accreditation (JCI, …).
// priced is 1 for an offer with an exact price, 0.5 for a price range, 0 for
// neither; for a facility or treatment, 1 when it has priced offers; for a
// doctor, 0.5 (doctors carry no prices of their own).
//
// Trust spans 0.6 to 1.0, so it reorders results of similar relevance but
// cannot lift a weak text match over a strong one; exact words weigh 1,
// synonyms 0.8 and typo corrections at most 0.5 (see understand.go), so an
// exact match outranks a fuzzy one whatever their trust.
const (
	trustBase          = 0.6
	trustRatingWeight  = 0.25
	trustAccredWeight  = 0.1
	trustPricedWeight  = 0.05
	trustPriorReviews  = 10.0
	trustPriorRating   = 3.5
	trustFormulaString = "score = relevance × trust; trust = 0.6 + 0.25·rating + 0.1·accredited + 0.05·priced; " +
		"rating = (bayes − 1)/4, bayes = (reviews·stars + 10·3.5)/(reviews + 10)"
)

// TrustFactors are the parts of a record's trust, as explain shows them.
type TrustFactors struct {
	Stars       *float64 `json:"stars,omitempty"`
	Reviews     int      `json:"reviews"`
	BayesRating float64  `json:"bayes_rating"`
	Rating      float64  `json:"rating"`
	Accredited  float64  `json:"accredited"`
	Priced      float64  `json:"priced"`
	Trust       float64  `json:"trust"`
}

// trustOf computes a record's trust factors.
func trustOf(r *Record) TrustFactors {
	var f TrustFactors
	stars, reviews := r.Rating, r.ReviewCount
	accreditations := r.Accreditations
	if r.Type == TypeOffer && r.Facility != nil {
		stars, reviews, accreditations = r.Facility.Rating, r.Facility.ReviewCount, r.Facility.Accreditations
	}
	f.Stars = stars
	if reviews != nil {
		f.Reviews = *reviews
	}
	f.BayesRating = trustPriorRating
	if stars != nil {
		n := float64(f.Reviews)
		if n <= 0 {
			n = 1 // a rating with no count behind it counts as one review
			f.Reviews = 0
		}
		f.BayesRating = (n**stars + trustPriorReviews*trustPriorRating) / (n + trustPriorReviews)
	}
	f.Rating = math.Min(1, math.Max(0, (f.BayesRating-1)/4))
	if len(accreditations) > 0 {
		f.Accredited = 1
	}
	switch r.Type {
	case TypeOffer:
		switch {
		case r.Price != nil:
			f.Priced = 1
		case r.PriceRange != nil:
			f.Priced = 0.5
		}
	case TypeDoctor:
		f.Priced = 0.5
	default:
		if r.OfferCount > 0 {
			f.Priced = 1
		}
	}
	f.Trust = round3(trustBase + trustRatingWeight*f.Rating + trustAccredWeight*f.Accredited + trustPricedWeight*f.Priced)
	f.BayesRating = round3(f.BayesRating)
	f.Rating = round3(f.Rating)
	return f
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// Explanation says how a hit's score was made.
type Explanation struct {
	Relevance float64 `json:"relevance"`
	TrustFactors
	Score   float64  `json:"score"`
	Matched []string `json:"matched,omitempty"`
	Formula string   `json:"formula"`
}
