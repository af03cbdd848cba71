package ra

import (
	"context"
	"time"

	"github.com/sello-pki/sello/internal/errs"
)

// PublicStatus is what the status page of a request shows to whoever knows
// its folio: the state and the dates of the procedure, nothing about the
// person (folios are sequential, so knowing one proves nothing). The
// acknowledgement's details need its verification code (VerifyDocument).
type PublicStatus struct {
	Folio      string
	State      string
	TZ         string    // the jurisdiction's zone, for showing the dates
	FiledAt    time.Time // zero when unknown
	ReceivedAt time.Time // legal reception (RULES G2)
	// EmailVerifiedAt, DeficiencyDeadline, ClosedAt and UpdatedAt are zero
	// when they do not apply.
	EmailVerifiedAt    time.Time
	DeficiencyDeadline time.Time
	ClosedAt           time.Time
	UpdatedAt          time.Time
}

// RequestStatus is the applicant's status page by folio (no certificate);
// from is the caller's connection, under which refusals are tallied.
func (r *RA) RequestStatus(ctx context.Context, from Origin, folio string) (*PublicStatus, error) {
	s, err := r.requestStatus(ctx, folio)
	if err != nil {
		return nil, r.refuse(ctx, Actor{Kind: ActorAnonymous, From: from}, "enrollment.status", "folio:"+truncate(folio, 64), err)
	}
	return s, nil
}

func (r *RA) requestStatus(ctx context.Context, folio string) (*PublicStatus, error) {
	if folio == "" || len(folio) > 64 {
		return nil, errs.New(errs.NotFound, "no request with folio %s", truncate(folio, 64))
	}
	e, err := r.store.EnrollmentByFolio(ctx, folio)
	if err != nil {
		return nil, err
	}
	tz := "America/Mexico_City"
	if pol, err := r.policies.Get(e.PolicyID); err == nil && pol.CalendarSpec.Timezone != "" {
		tz = pol.CalendarSpec.Timezone
	}
	return &PublicStatus{Folio: e.Folio, State: e.State, TZ: tz, FiledAt: e.FiledAt.Time, ReceivedAt: e.ReceivedAt.Time,
		EmailVerifiedAt: e.EmailVerifiedAt.Time, DeficiencyDeadline: e.DeficiencyDeadline.Time, ClosedAt: e.ClosedAt.Time,
		UpdatedAt: e.UpdatedAt}, nil
}
