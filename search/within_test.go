package search_test

import (
	"context"
	"math"
	"testing"

	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/search"
)

// TestRadiusEqualsBruteForce checks the radius filter, which measures only
// facilities (against a bounding box first) and takes their offers and
// doctors by facility id, against the haversine distance of every facility
// of the bundled catalogue, around the world: a dense city, the
// antimeridian, near a pole, and a radius past half the globe.
func TestRadiusEqualsBruteForce(t *testing.T) {
	const bundledCatalog = "../testdata/catalog"
	ix := bundledIndex(t) // shared: building it under -race takes minutes
	var places []search.GeoPoint
	placeOf := map[int64]search.GeoPoint{}
	var offersAt []int64 // each offer's facility
	src := &indexer.FileSource{Dir: bundledCatalog}
	rates, err := src.Rates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = src.Records(context.Background(), rates, func(r *search.Record) error {
		if r.Type == search.TypeFacility && r.Location != nil {
			places = append(places, *r.Location)
			placeOf[r.ID] = *r.Location
		}
		if r.Type == search.TypeOffer && r.Facility != nil {
			offersAt = append(offersAt, r.Facility.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   search.GeoPoint
		km   float64
	}{
		{"London, 50 km", search.GeoPoint{Lat: 51.5, Lon: -0.12}, 50},
		{"London, 500 km", search.GeoPoint{Lat: 51.5, Lon: -0.12}, 500},
		{"Istanbul, 300 km", search.GeoPoint{Lat: 41.01, Lon: 28.97}, 300},
		{"Fiji, across the antimeridian", search.GeoPoint{Lat: -17.7, Lon: 179.9}, 3000},
		{"near the north pole", search.GeoPoint{Lat: 89, Lon: 10}, 2500},
		{"past half the globe", search.GeoPoint{Lat: 0, Lon: 0}, 15000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := 0
			for _, p := range places {
				if haversine(tc.at, p) <= tc.km {
					want++
				}
			}
			res, err := ix.Search(context.Background(), search.Request{Near: &tc.at, RadiusKM: tc.km}.
				MustWhere(search.FilterType, search.TypeFacility))
			if err != nil {
				t.Fatal(err)
			}
			if int(res.Total) != want {
				t.Errorf("%d facilities within %.0f km, want %d", res.Total, tc.km, want)
			}
			for _, h := range res.Hits {
				if h.DistanceKM == nil || *h.DistanceKM > tc.km+0.05 {
					t.Errorf("hit %d at %v km, outside %.0f km", h.ID, h.DistanceKM, tc.km)
				}
			}

			// Offers alone (the radius then marks only the facilities'
			// offers), nearest first.
			wantOffers := 0
			for _, f := range offersAt {
				if p, ok := placeOf[f]; ok && haversine(tc.at, p) <= tc.km {
					wantOffers++
				}
			}
			res, err = ix.Search(context.Background(), search.Request{Near: &tc.at, RadiusKM: tc.km, Sort: search.SortDistance,
				PerPage: 50}.MustWhere(search.FilterType, search.TypeOffer))
			if err != nil {
				t.Fatal(err)
			}
			if int(res.Total) != wantOffers {
				t.Errorf("%d offers within %.0f km, want %d", res.Total, tc.km, wantOffers)
			}
			last := 0.0
			for _, h := range res.Hits {
				if h.DistanceKM == nil || *h.DistanceKM > tc.km+0.05 || *h.DistanceKM < last-0.05 {
					t.Errorf("offer %d at %v km: outside %.0f km, or nearer than the one before (%.1f)", h.ID, h.DistanceKM, tc.km, last)
					continue
				}
				last = *h.DistanceKM
			}
			if wantOffers > 0 && len(res.Hits) == 0 {
				t.Error("no offer shown")
			}
		})
	}
}

func haversine(a, b search.GeoPoint) float64 {
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * 6371.0088 * math.Asin(math.Min(1, math.Sqrt(h)))
}
