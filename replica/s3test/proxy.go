package s3test

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to a server and can stall them part-way,
// the way a congested or partitioned network does: it puts a real
// connection exactly where a test needs it (an upload or a download
// caught in the middle) without timing luck.
type Proxy struct {
	Addr string // 127.0.0.1:PORT to connect to instead of the server

	upstream string
	ln       net.Listener
	mu       sync.Mutex
	cond     *sync.Cond
	budget   int64 // bytes still allowed before stalling; <0: no limit
	stalled  chan struct{}
	conns    map[net.Conn]bool
}

// NewProxy starts a proxy to upstream (HOST:PORT) on a free loopback
// port, and closes it when the test ends.
func NewProxy(tb testing.TB, upstream string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), upstream: upstream, ln: ln, budget: -1, conns: map[net.Conn]bool{}}
	p.cond = sync.NewCond(&p.mu)
	go p.accept()
	tb.Cleanup(p.Close)
	return p
}

// Endpoint is the proxy's http:// URL.
func (p *Proxy) Endpoint() string { return "http://" + p.Addr }

// StallAfter lets n more bytes through (both directions counted) and
// then holds every connection where it is until Release. The returned
// channel closes when the stall begins.
func (p *Proxy) StallAfter(n int64) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.budget = n
	p.stalled = make(chan struct{})
	return p.stalled
}

// Release lets traffic flow again, without limit.
func (p *Proxy) Release() {
	p.mu.Lock()
	p.budget = -1
	p.mu.Unlock()
	p.cond.Broadcast()
}

// Close stops accepting, and cuts every open connection.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.budget = -1
	p.mu.Unlock()
	p.cond.Broadcast()
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *Proxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		client.Close()
		return
	}
	p.track(client, true)
	p.track(server, true)
	defer func() {
		p.track(client, false)
		p.track(server, false)
		client.Close()
		server.Close()
	}()
	done := make(chan struct{}, 2)
	go func() { p.copy(server, client); done <- struct{}{} }()
	go func() { p.copy(client, server); done <- struct{}{} }()
	<-done
}

func (p *Proxy) track(c net.Conn, open bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if open {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

// copy forwards src to dst in small pieces, each taken from the budget.
func (p *Proxy) copy(dst io.Writer, src io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		for off := 0; off < n; {
			k := p.take(n - off)
			if _, werr := dst.Write(buf[off : off+k]); werr != nil {
				return
			}
			off += k
		}
		if err != nil {
			return
		}
	}
}

// take waits until some of want bytes may pass and returns how many.
func (p *Proxy) take(want int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.budget == 0 {
		if p.stalled != nil {
			close(p.stalled)
			p.stalled = nil
		}
		p.cond.Wait()
	}
	if p.budget < 0 {
		return want
	}
	k := int(min(int64(want), p.budget))
	p.budget -= int64(k)
	return k
}
