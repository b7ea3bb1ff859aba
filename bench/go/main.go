// Go twins of the rows of bench/goro_bench.cpp: the same scenarios, the same row ids and
// units, measured the same way (calibrate until a round lasts >= 200 ms, which doubles as
// the warm-up, then the median of 3 rounds). tools/bench.sh runs this next to goro_bench
// and prints the goro/Go ratios.
//
// Output, one line per row, tab-separated:  id  mode  unit  value  spread
// (mode is "go"; spread is (max-min)/median of the timed rounds).
//
//	go run . [-only id,id] [-rounds N] [-quick]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	rounds = flag.Int("rounds", 3, "timed rounds per row (median reported)")
	quick  = flag.Bool("quick", false, "short rounds and small scenarios (smoke run)")
	only   = flag.String("only", "", "comma-separated row ids to run")
	child  = flag.Int("live-child", 0, "internal: run one live10k round with this many goroutines")
)

type stat struct{ median, spread float64 }

func summarize(xs []float64) stat {
	sort.Float64s(xs)
	n := len(xs)
	m := xs[n/2]
	if n%2 == 0 {
		m = (xs[n/2-1] + xs[n/2]) / 2
	}
	s := 0.0
	if m > 0 {
		s = (xs[n-1] - xs[0]) / m
	}
	return stat{m, s}
}

func target() time.Duration {
	if *quick {
		return 20 * time.Millisecond
	}
	return 200 * time.Millisecond
}

// perOp calibrates n from start (capped at maxN) until round(n) lasts at least target(),
// then returns the median nanoseconds per operation of the timed rounds.
func perOp(start, maxN int, round func(n int) time.Duration) stat {
	n := start
	for {
		d := round(n)
		if d >= target() || n >= maxN {
			break
		}
		scale := 2.0
		if d > 0 {
			scale = 1.2 * float64(target()) / float64(d)
		}
		scale = min(max(scale, 1.5), 8.0)
		n = min(maxN, int(float64(n)*scale))
	}
	per := make([]float64, 0, *rounds)
	for r := 0; r < *rounds; r++ {
		per = append(per, float64(round(n).Nanoseconds())/float64(n))
	}
	return summarize(per)
}

// fixed runs one warm-up round, then returns the median of the timed rounds.
func fixed(round func() float64) stat {
	round()
	vs := make([]float64, 0, *rounds)
	for r := 0; r < *rounds; r++ {
		vs = append(vs, round())
	}
	return summarize(vs)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "go bench:", msg)
	os.Exit(1)
}

func spawnJoin() stat {
	return perOp(256, 20_000_000, func(n int) time.Duration {
		var wg sync.WaitGroup
		wg.Add(n)
		t0 := time.Now()
		for i := 0; i < n; i++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
		return time.Since(t0)
	})
}

func chanPingPong() stat {
	return perOp(1000, 50_000_000, func(n int) time.Duration {
		ping, pong, finished := make(chan int64), make(chan int64), make(chan struct{})
		go func() {
			for v := range ping {
				pong <- v
			}
			close(finished)
		}()
		t0 := time.Now()
		for i := int64(0); i < int64(n); i++ {
			ping <- i
			if <-pong != i {
				fail("chan_pingpong: wrong value echoed")
			}
		}
		d := time.Since(t0)
		close(ping)
		<-finished
		return d
	})
}

func chanBuffered() stat {
	s := perOp(10_000, 500_000_000, func(n int) time.Duration {
		ch, start := make(chan int64, 128), make(chan struct{})
		go func() {
			<-start
			for i := int64(0); i < int64(n); i++ {
				ch <- i
			}
			close(ch)
		}()
		t0 := time.Now()
		start <- struct{}{}
		var sum int64
		for v := range ch {
			sum += v
		}
		d := time.Since(t0)
		if sum != int64(n)*int64(n-1)/2 {
			fail("chan_buffered: lost items")
		}
		return d
	})
	s.median = 1e9 / s.median // ns/item -> items/s
	return s
}

func select4() stat {
	return perOp(1000, 50_000_000, func(n int) time.Duration {
		var cs [4]chan int64
		for i := range cs {
			cs[i] = make(chan int64)
		}
		finished := make(chan struct{})
		go func() {
			for i := int64(0); i < int64(n); i++ {
				cs[i%4] <- i
			}
			close(finished)
		}()
		t0 := time.Now()
		for i := int64(0); i < int64(n); i++ {
			var v int64 = -1
			k := -1
			select {
			case v = <-cs[0]:
				k = 0
			case v = <-cs[1]:
				k = 1
			case v = <-cs[2]:
				k = 2
			case v = <-cs[3]:
				k = 3
			}
			if v != i || int64(k) != i%4 {
				fail("select4: wrong case chosen")
			}
		}
		d := time.Since(t0)
		<-finished
		return d
	})
}

// settle gives goroutines that have reported in time to reach their blocking operation
// (Go offers no portable way to observe that a goroutine is parked).
func settle() {
	for i := 0; i < 10; i++ {
		runtime.Gosched()
	}
	time.Sleep(20 * time.Millisecond)
}

func cancelFanout() stat {
	waiters := 1000
	if *quick {
		waiters = 100
	}
	return fixed(func() float64 {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var ready, exited sync.WaitGroup
		ready.Add(waiters)
		exited.Add(waiters)
		for i := 0; i < waiters; i++ {
			go func() {
				ready.Done()
				select {
				case <-ctx.Done():
				}
				exited.Done()
			}()
		}
		ready.Wait()
		settle()
		t0 := time.Now()
		cancel()
		exited.Wait()
		return float64(time.Since(t0).Nanoseconds()) / 1e3
	})
}

func procStatusKiB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}

// liveRound starts count goroutines blocked on one channel; returns the ms until all have
// reported in and the peak RSS growth in MiB (VmHWM after, minus VmRSS before, peak reset).
func liveRound(count int) (float64, float64) {
	peakReset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	rss0 := procStatusKiB("VmRSS")
	release := make(chan struct{})
	var started, exited sync.WaitGroup
	started.Add(count)
	exited.Add(count)
	t0 := time.Now()
	for i := 0; i < count; i++ {
		go func() {
			started.Done()
			<-release
			exited.Done()
		}()
	}
	started.Wait()
	ms := float64(time.Since(t0).Nanoseconds()) / 1e6
	settle()
	rss1, hwm := procStatusKiB("VmRSS"), procStatusKiB("VmHWM")
	peak := rss1
	if peakReset {
		peak = max(hwm, rss1)
	}
	close(release)
	exited.Wait()
	return ms, float64(peak-rss0) / 1024
}

// liveChild runs one liveRound in a fresh process: memory the first round takes stays with
// the process and would be reused by later rounds.
func liveChild(count int) (float64, float64) {
	// /proc/self/exe (resolved in the forked child, i.e. this binary) rather than a path,
	// which survives the binary being rebuilt meanwhile.
	out, err := exec.Command("/proc/self/exe", "-live-child", strconv.Itoa(count)).Output()
	if err != nil {
		fail("live10k: child failed: " + err.Error())
	}
	var ms, mib float64
	if _, err := fmt.Sscan(string(out), &ms, &mib); err != nil {
		fail("live10k: bad child output: " + err.Error())
	}
	return ms, mib
}

func main() {
	flag.Parse()
	if *child > 0 {
		ms, mib := liveRound(*child)
		fmt.Printf("%.6f %.6f\n", ms, mib)
		return
	}
	want := map[string]bool{}
	for _, id := range strings.Split(*only, ",") {
		if id != "" {
			want[id] = true
		}
	}
	wanted := func(id string) bool { return len(want) == 0 || want[id] }
	emit := func(id, unit string, s stat) {
		fmt.Printf("%s\tgo\t%s\t%.6g\t%.4f\n", id, unit, s.median, s.spread)
	}
	rows := []struct {
		id, unit string
		run      func() stat
	}{
		{"spawn_join", "ns/task", spawnJoin},
		{"chan_pingpong", "ns/round-trip", chanPingPong},
		{"chan_buffered", "items/s", chanBuffered},
		{"select4", "ns/select", select4},
		{"cancel_fanout", "us/cancel", cancelFanout},
	}
	for _, r := range rows {
		if wanted(r.id) {
			emit(r.id, r.unit, r.run())
		}
	}
	// live10k: 10,000 blocked goroutines (goro's free mode); live100k: 100,000 (goro's
	// deterministic mode). --quick divides both by ten.
	for _, size := range []struct {
		id    string
		count int
	}{{"live10k", 10_000}, {"live100k", 100_000}} {
		if !wanted(size.id+"_start") && !wanted(size.id+"_rss") {
			continue
		}
		count := size.count
		if *quick {
			count /= 10
		}
		liveChild(count) // warm-up
		var ms, mib []float64
		for r := 0; r < *rounds; r++ {
			a, b := liveChild(count)
			ms, mib = append(ms, a), append(mib, b)
		}
		if wanted(size.id + "_start") {
			emit(size.id+"_start", "ms", summarize(ms))
		}
		if wanted(size.id + "_rss") {
			emit(size.id+"_rss", "MiB", summarize(mib))
		}
	}
}
