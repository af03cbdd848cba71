package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sello-pki/sello/internal/clock"
	"github.com/sello-pki/sello/internal/errs"
	outbox "github.com/sello-pki/sello/internal/jobs"
	"github.com/sello-pki/sello/internal/model"
)

// Worker defaults.
const (
	DefaultBatch       = 20
	DefaultLease       = 5 * time.Minute
	DefaultMaxAttempts = 20 // with Backoff, about 13 hours of retries

	minLease = 30 * time.Second
	// bookkeepingTimeout bounds recording an outcome after the worker's
	// context ended: an e-mail that left must not be sent again because
	// shutdown began a millisecond later.
	bookkeepingTimeout = 10 * time.Second
)

// WorkerConfig holds a Worker's dependencies. Zero Batch, Lease and
// MaxAttempts take the defaults above.
type WorkerConfig struct {
	Store       Queue
	Sender      Sender
	Clock       clock.Clock
	Logger      *slog.Logger
	Batch       int           // jobs claimed per RunOnce
	Lease       time.Duration // how long a claimed job is ours; must exceed Batch sends
	MaxAttempts int           // failed sends before a job is dead
	// Index keys the recipient tag in the logs (the data key's blind
	// index); without one the logs name no recipient.
	Index Indexer
}

// Queue is the outbox as the worker uses it (store.Store satisfies it).
type Queue interface {
	Claim(ctx context.Context, kind string, n int, lease time.Duration) ([]model.Job, error)
	Complete(ctx context.Context, id int64) error
	Retry(ctx context.Context, j model.Job, cause error, backoff time.Duration, maxAttempts int) error
}

// Worker sends the e-mail jobs of the outbox.
type Worker struct {
	store       Queue
	sender      Sender
	clk         clock.Clock
	log         *slog.Logger
	batch       int
	lease       time.Duration
	maxAttempts int
	index       Indexer
}

// NewWorker checks c and returns a worker.
func NewWorker(c WorkerConfig) (*Worker, error) {
	switch {
	case c.Store == nil:
		return nil, errs.New(errs.BadConfig, "notify worker: no store")
	case c.Sender == nil:
		return nil, errs.New(errs.BadConfig, "notify worker: no sender")
	case c.Clock == nil:
		return nil, errs.New(errs.BadConfig, "notify worker: no clock")
	case c.Batch < 0:
		return nil, errs.New(errs.BadConfig, "notify worker: batch %d is negative", c.Batch)
	case c.MaxAttempts < 0:
		return nil, errs.New(errs.BadConfig, "notify worker: max attempts %d is negative", c.MaxAttempts)
	case c.Lease != 0 && c.Lease < minLease:
		return nil, errs.New(errs.BadConfig, "notify worker: lease %v is shorter than %v", c.Lease, minLease)
	}
	w := &Worker{store: c.Store, sender: c.Sender, clk: c.Clock, log: c.Logger,
		batch: c.Batch, lease: c.Lease, maxAttempts: c.MaxAttempts, index: c.Index}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.batch == 0 {
		w.batch = DefaultBatch
	}
	if w.lease == 0 {
		w.lease = DefaultLease
	}
	if w.maxAttempts == 0 {
		w.maxAttempts = DefaultMaxAttempts
	}
	return w, nil
}

// Backoff is the wait after the given number of failed attempts:
// 30s·2^(attempts-1), at most one hour.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= time.Hour {
			return time.Hour
		}
	}
	return d
}

// RunOnce claims up to Batch due e-mail jobs and sends them. A sent job is
// completed; a failed send is retried after Backoff until MaxAttempts, then
// dead; a job that cannot be rendered (unknown template, missing data) is
// dead at once, kept for an operator rather than lost or retried forever.
//
// Those outcomes are recorded on the jobs and logged; err reports only what
// could not be recorded (the database) or a cancelled ctx. A job left
// unrecorded returns when its lease ends: delivery is at least once.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	jobs, err := w.store.Claim(ctx, JobKind, w.batch, w.lease)
	if err != nil {
		return 0, err
	}
	var failed []error
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			// The rest stay leased and are claimed again after the lease.
			failed = append(failed, err)
			break
		}
		ok, err := w.process(ctx, j)
		if ok {
			sent++
		}
		if err != nil {
			failed = append(failed, err)
		}
	}
	return sent, errors.Join(failed...)
}

// process handles one claimed job; it reports whether the e-mail was sent
// and any error recording the outcome.
func (w *Worker) process(ctx context.Context, j model.Job) (bool, error) {
	job, err := outbox.Decode(j.Kind, j.Payload)
	email, ok := job.(*outbox.Email)
	if err != nil || !ok {
		w.log.ErrorContext(ctx, "notify: e-mail job is not a message; marked dead", "job", j.ID)
		if err == nil {
			err = errs.New(errs.Internal, "notify: a %s job was claimed as an e-mail", j.Kind)
		}
		return false, w.bury(ctx, j, errs.Wrap(errs.Internal, err, "notify: payload is not a message"))
	}
	m := messageOf(email)
	attrs := []any{"job", j.ID, "template", m.Template, "lang", m.Lang, "attempt", j.Attempts}
	if w.index != nil {
		attrs = append(attrs, "rcpt", RecipientTag(w.index, m.To))
	}
	r, err := Render(m)
	if err != nil {
		// The render error may quote data values (personal data): the log
		// points at the job, whose last_error holds the detail.
		w.log.ErrorContext(ctx, "notify: e-mail cannot be rendered; marked dead, see the job's last_error", attrs...)
		return false, w.bury(ctx, j, errors.New(scrub(err.Error(), m.To)))
	}
	if j.LockedUntil != nil && !w.clk.Now().Before(*j.LockedUntil) {
		// Another worker may own it by now; sending would duplicate it.
		w.log.WarnContext(ctx, "notify: lease ended before sending; left for the next claim", attrs...)
		return false, nil
	}
	if err := w.sender.Send(ctx, r); err != nil {
		if ctx.Err() != nil {
			// Shutting down: not the server's fault; the job returns after its lease.
			return false, ctx.Err()
		}
		cause := scrub(err.Error(), m.To)
		backoff := Backoff(j.Attempts)
		if j.Attempts >= w.maxAttempts {
			w.log.ErrorContext(ctx, "notify: e-mail failed for the last time; marked dead", append(attrs, "error", cause)...)
		} else {
			w.log.WarnContext(ctx, "notify: e-mail failed; will retry", append(attrs, "error", cause, "retry_in", backoff)...)
		}
		bctx, cancel := bookkeeping(ctx)
		defer cancel()
		if err := w.store.Retry(bctx, j, errors.New(cause), backoff, w.maxAttempts); err != nil {
			return false, errs.Wrap(errs.TypeOf(err), err, "notify: recording failure of job %d", j.ID)
		}
		return false, nil
	}
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := w.store.Complete(bctx, j.ID); err != nil {
		w.log.ErrorContext(ctx, "notify: e-mail sent but not recorded; it will be sent again", attrs...)
		return true, errs.Wrap(errs.TypeOf(err), err, "notify: completing job %d", j.ID)
	}
	w.log.InfoContext(ctx, "notify: e-mail sent", attrs...)
	return true, nil
}

// bury makes a job dead now: Retry with maxAttempts equal to its attempts.
func (w *Worker) bury(ctx context.Context, j model.Job, cause error) error {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := w.store.Retry(bctx, j, cause, 0, j.Attempts); err != nil {
		return errs.Wrap(errs.TypeOf(err), err, "notify: marking job %d dead", j.ID)
	}
	return nil
}

func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
}

// Run calls RunOnce every interval until ctx ends, at once again while
// batches come back full (a backlog).
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 10 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			n, err := w.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.ErrorContext(ctx, "notify: e-mail run failed", "error", err)
			}
			if err != nil || n < w.batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
