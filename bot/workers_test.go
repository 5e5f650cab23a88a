package bot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// Idle returns once every queued job has run, including jobs that queued
// more jobs, and a pool with nothing queued is idle at once.
func TestWorkersIdle(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := NewWorkers(ctx, 4, 100, nil)
	if !w.Idle(ctx) {
		t.Fatal("an empty pool is not idle")
	}
	var ran atomic.Int64
	release := make(chan struct{})
	for range 20 {
		w.Go(ctx, func(ctx context.Context) {
			<-release
			ran.Add(1)
			w.Go(ctx, func(context.Context) { ran.Add(1) }, nil)
		}, nil)
	}
	idle := make(chan bool)
	go func() { idle <- w.Idle(ctx) }()
	select {
	case <-idle:
		t.Fatal("Idle returned while jobs were waiting")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if !<-idle {
		t.Fatal("Idle reported ctx ended")
	}
	if n := ran.Load(); n != 40 {
		t.Fatalf("Idle returned after %d of 40 jobs", n)
	}

	// A job refused by TryGo (queue full) is not waited for.
	full := NewWorkers(ctx, 1, 0, nil)
	block := make(chan struct{})
	full.Go(ctx, func(context.Context) { <-block }, nil)
	for full.TryGo(func(context.Context) {}, nil) {
	}
	close(block)
	if !full.Idle(ctx) {
		t.Fatal("a refused job kept the pool busy")
	}

	// Idle gives up when its ctx ends.
	stuck := make(chan struct{})
	defer close(stuck)
	w.Go(ctx, func(context.Context) { <-stuck }, nil)
	short, cancelShort := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancelShort()
	if w.Idle(short) {
		t.Fatal("Idle reported idle while a job was running")
	}
}
