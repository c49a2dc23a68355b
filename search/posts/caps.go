package posts

import (
	"container/list"
	"hash/fnv"
	"sync"
	"time"
)

// Caps counts how often each post was shown in each search session, so that
// a patient is not shown the same post more than PerSession times. It
// remembers at most a fixed number of sessions, each for a fixed time after
// its last search, and forgets the least recently active first; sessions
// are kept as hashes, never as the id the client sent.
type Caps struct {
	perSession  int
	maxSessions int
	ttl         time.Duration

	mu       sync.Mutex
	sessions map[uint64]*list.Element
	lru      *list.List // of *session, most recent first
}

type session struct {
	key   uint64
	seen  time.Time
	shown map[int64]int
}

// NewCaps returns caps that allow each post perSession times per session,
// remembering up to maxSessions sessions for ttl after their last search.
func NewCaps(perSession, maxSessions int, ttl time.Duration) *Caps {
	return &Caps{perSession: perSession, maxSessions: maxSessions, ttl: ttl,
		sessions: map[uint64]*list.Element{}, lru: list.New()}
}

// PerSession is how many times a post may be shown in one session.
func (c *Caps) PerSession() int { return c.perSession }

func sessionKey(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// Allowed returns a filter for Index.Match that refuses the posts the
// session has already been shown PerSession times. An empty session id has
// no cap.
func (c *Caps) Allowed(id string, now time.Time) func(*Post) bool {
	if c == nil || id == "" {
		return nil
	}
	key := sessionKey(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.get(key, now)
	if s == nil {
		return nil
	}
	shown := make(map[int64]int, len(s.shown))
	for k, v := range s.shown {
		shown[k] = v
	}
	return func(p *Post) bool { return shown[p.ID] < c.perSession }
}

// Record counts that the session was shown the matched posts.
func (c *Caps) Record(id string, ms []Match, now time.Time) {
	if c == nil || id == "" || len(ms) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.touch(sessionKey(id), now)
	for _, m := range ms {
		s.shown[m.Post.ID]++
	}
}

// Take counts one use of id (a post, or anything else one session may see
// only so often) in the session and says whether the cap allowed it: false
// when the session has used id PerSession times already. The check and
// the count are one step, so two requests at once cannot both pass a cap
// of one. An empty session id has no cap.
func (c *Caps) Take(sid string, id int64, now time.Time) bool {
	if c == nil || sid == "" {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.touch(sessionKey(sid), now)
	if s.shown[id] >= c.perSession {
		return false
	}
	s.shown[id]++
	return true
}

// touch returns the session for key, made if it is new (forgetting the
// least recently active beyond maxSessions), marked active now.
func (c *Caps) touch(key uint64, now time.Time) *session {
	s := c.get(key, now)
	if s == nil {
		s = &session{key: key, shown: map[int64]int{}}
		c.sessions[key] = c.lru.PushFront(s)
		for c.lru.Len() > c.maxSessions {
			c.remove(c.lru.Back())
		}
	}
	s.seen = now
	c.lru.MoveToFront(c.sessions[key])
	return s
}

// get returns the live session for key, dropping it if it has expired, and
// drops a few expired sessions from the back as it goes.
func (c *Caps) get(key uint64, now time.Time) *session {
	for i := 0; i < 4; i++ {
		back := c.lru.Back()
		if back == nil || now.Sub(back.Value.(*session).seen) < c.ttl {
			break
		}
		c.remove(back)
	}
	e, ok := c.sessions[key]
	if !ok {
		return nil
	}
	s := e.Value.(*session)
	if now.Sub(s.seen) >= c.ttl {
		c.remove(e)
		return nil
	}
	return s
}

func (c *Caps) remove(e *list.Element) {
	delete(c.sessions, e.Value.(*session).key)
	c.lru.Remove(e)
}

// Len is the number of sessions remembered.
func (c *Caps) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
