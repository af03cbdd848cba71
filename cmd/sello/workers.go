package main

import (
	"context"
	"time"

	"github.com/sello-pki/sello/ra"
	"github.com/sello-pki/sello/ra/notify"
)

// startWorkers runs the background jobs until ctx ends: the deadline
// scheduler, the appointment monitor and the mail sender. Each takes its
// lock, so several nodes may run them.
func startWorkers(ctx context.Context, a *app) {
	go ra.RunEvery(ctx, a.cfg.SchedulerInterval, func(ctx context.Context) {
		rep, err := a.ra.RunDeadlines(ctx, ra.System("scheduler"))
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("deadline scheduler", "err", err)
		case rep != nil && (len(rep.NotPresented)+len(rep.RefusalsDue)+len(rep.HoldsReleased)+len(rep.Escalated)+len(rep.DecisionsDue)+len(rep.Revoked)+len(rep.Expired)+len(rep.Errors) > 0):
			a.log.Info("deadline scheduler", "notPresented", len(rep.NotPresented), "refusalsDue", len(rep.RefusalsDue),
				"holdsReleased", len(rep.HoldsReleased), "escalated", len(rep.Escalated), "decisionsDue", len(rep.DecisionsDue), "revoked", len(rep.Revoked), "expired", len(rep.Expired), "errors", rep.Errors)
		}
	})
	go ra.RunEvery(ctx, a.cfg.MonitorInterval, func(ctx context.Context) {
		rep, err := a.ra.RunMonitor(ctx, ra.System("appointment-monitor"), 500)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("appointment monitor", "err", err)
		case rep != nil && rep.Checked+rep.Unavailable > 0:
			a.log.Info("appointment monitor", "checked", rep.Checked, "revoked", rep.Revoked, "suspended", rep.Suspended,
				"lifted", rep.Lifted, "unavailable", rep.Unavailable, "notFound", rep.NotFound, "errors", rep.Errors)
		}
	})
	if a.cfg.SMTP == nil {
		a.log.Warn("no smtp configured: e-mails wait in the outbox until one is")
		return
	}
	sender, err := notify.NewSMTPSender(*a.cfg.SMTP, a.clk)
	if err != nil {
		a.log.Error("smtp", "err", err)
		return
	}
	w, err := notify.NewWorker(notify.WorkerConfig{Store: a.store, Sender: sender, Clock: a.clk, Logger: a.log, Batch: 20,
		Lease: 5 * time.Minute, MaxAttempts: 30, Index: a.box})
	if err != nil {
		a.log.Error("mail worker", "err", err)
		return
	}
	go w.Run(ctx, a.cfg.MailInterval)
}
