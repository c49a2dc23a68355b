// Package replica ships index generations through S3-compatible object
// storage to stateless replicas, the way Quickwit and zoekt ship immutable
// index pieces: built once, uploaded, downloaded by every server that
// serves them. A generation directory (package search) is already
// immutable once published, so it needs no format of its own: its files
// go to the store as they are, with a manifest of sizes and SHA-256s.
//
// The indexer calls Publish and then Record; each replica runs a
// Follower, which downloads with Download and switches with
// search.Publish; GC deletes what no replica needs. PostgreSQL (package
// postgres) is the metastore: the generations table says what is
// published, NOTIFY says when, and the replicas table which replica
// serves what. With no database a replica follows the store alone
// (Latest).
package replica
