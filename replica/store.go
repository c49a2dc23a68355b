package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config says where generations are kept and how to reach the store. The
// zero values fall back to the variables every S3 tool reads, so a replica
// in a container needs nothing but its environment.
type Config struct {
	// URL is s3://BUCKET/PREFIX: the bucket, and the folder in it that
	// holds one index's generations (shards will each have their own).
	URL string
	// Endpoint is the store's base URL, http://127.0.0.1:7070 for a local
	// S3-compatible server; empty means Amazon S3.
	Endpoint string
	// AccessKey, SecretKey and SessionToken sign requests. With no
	// AccessKey the client asks the environment, ~/.aws/credentials and
	// the instance's IAM role, in that order.
	AccessKey, SecretKey, SessionToken string
	// Region is the bucket's region; stores that have none take any.
	Region string
	// Retries bounds how often one request is retried (0: the client's
	// default of 10). Tests that stop the store set 1 to fail fast.
	Retries int
}

// ConfigFromEnv returns the configuration for the store at storeURL, with
// endpoint when given, else AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, and the
// credentials and region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN and AWS_REGION (or AWS_DEFAULT_REGION).
func ConfigFromEnv(storeURL, endpoint string) Config {
	return Config{
		URL:          storeURL,
		Endpoint:     firstNonEmpty(endpoint, os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL")),
		AccessKey:    os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretKey:    os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: os.Getenv("AWS_SESSION_TOKEN"),
		Region:       firstNonEmpty(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION")),
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// ParseURL splits s3://BUCKET/PREFIX into the bucket and the prefix (no
// leading or trailing slash; empty for the bucket's root).
func ParseURL(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("%q is not an s3://BUCKET/PREFIX URL", s)
	}
	prefix = strings.Trim(u.Path, "/")
	if strings.Contains(prefix, "//") || slices.Contains(strings.Split(prefix, "/"), "..") {
		return "", "", fmt.Errorf("%q: the prefix must be a plain path", s)
	}
	return u.Host, prefix, nil
}

// Store is one index's generations in an S3-compatible bucket:
//
//	PREFIX/gen-20261123T101500.123456789/files/store/00000000001a.zap
//	PREFIX/gen-20261123T101500.123456789/files/...
//	PREFIX/gen-20261123T101500.123456789/manifest.json   written last
//
// A generation exists for readers only once its manifest does, which is
// what makes an upload atomic on a store that has no transactions.
type Store struct {
	client *minio.Client
	bucket string
	prefix string
}

// Open returns the store that cfg names. It does not touch the network:
// a replica starts even while the store is unreachable, and retries.
func Open(cfg Config) (*Store, error) {
	bucket, prefix, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	host, secure := "s3.amazonaws.com", true
	lookup := minio.BucketLookupAuto
	if cfg.Endpoint != "" {
		e, err := url.Parse(cfg.Endpoint)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return nil, fmt.Errorf("endpoint %q is not an http(s)://HOST[:PORT] URL", cfg.Endpoint)
		}
		host, secure = e.Host, e.Scheme == "https"
		// Most S3-compatible servers are reached by address, where
		// virtual-host buckets (BUCKET.HOST) do not resolve.
		lookup = minio.BucketLookupPath
	}
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)
	if cfg.AccessKey == "" {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.FileAWSCredentials{}, &credentials.IAM{},
		})
	}
	client, err := minio.New(host, &minio.Options{
		Creds: creds, Secure: secure, Region: cfg.Region, BucketLookup: lookup, MaxRetries: cfg.Retries,
	})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.URL, err)
	}
	return &Store{client: client, bucket: bucket, prefix: prefix}, nil
}

// URL is the store's s3://BUCKET/PREFIX, the key its generations are
// recorded under in PostgreSQL.
func (s *Store) URL() string {
	if s.prefix == "" {
		return "s3://" + s.bucket
	}
	return "s3://" + s.bucket + "/" + s.prefix
}

// key returns the object key of parts joined under the prefix.
func (s *Store) key(parts ...string) string {
	return path.Join(append([]string{s.prefix}, parts...)...)
}

func (s *Store) manifestKey(gen string) string  { return s.key(gen, manifestName) }
func (s *Store) fileKey(gen, rel string) string { return s.key(gen, "files", rel) }

// errNotFound is what get returns for a missing object.
var errNotFound = errors.New("no such object")

// get opens the object at key; the caller closes it.
func (s *Store) get(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	// GetObject is lazy; Stat makes the request, so a missing object is
	// reported here rather than at the first Read.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, fmt.Errorf("get %s: %w", key, errNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return obj, nil
}

// put uploads size bytes from r to key.
func (s *Store) put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// generationNames lists the generation folders under the prefix, whether
// or not their upload finished, oldest first (names sort by build time).
func (s *Store) generationNames(ctx context.Context) ([]string, error) {
	dir := s.key() + "/"
	if s.prefix == "" {
		dir = ""
	}
	var names []string
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: dir}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("list %s: %w", s.URL(), obj.Err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(obj.Key, dir), "/")
		if isGenerationName(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// objects lists every object of generation gen, manifest included.
func (s *Store) objects(ctx context.Context, gen string) ([]minio.ObjectInfo, error) {
	var out []minio.ObjectInfo
	opts := minio.ListObjectsOptions{Prefix: s.key(gen) + "/", Recursive: true}
	for obj := range s.client.ListObjects(ctx, s.bucket, opts) {
		if obj.Err != nil {
			return nil, fmt.Errorf("list %s: %w", gen, obj.Err)
		}
		out = append(out, obj)
	}
	return out, nil
}

// remove deletes the objects at keys.
func (s *Store) remove(ctx context.Context, keys []string) error {
	ch := make(chan minio.ObjectInfo, len(keys))
	for _, k := range keys {
		ch <- minio.ObjectInfo{Key: k}
	}
	close(ch)
	for e := range s.client.RemoveObjects(ctx, s.bucket, ch, minio.RemoveObjectsOptions{}) {
		if e.Err != nil {
			return fmt.Errorf("delete %s: %w", e.ObjectName, e.Err)
		}
	}
	return nil
}
