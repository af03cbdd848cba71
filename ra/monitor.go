package ra

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies"
)

// MonitorReport says what one appointment monitor pass did.
type MonitorReport struct {
	Checked, Revoked, Suspended, Lifted, Unavailable, NotFound int
	Skipped                                                    bool
	Errors                                                     []string
}

// RunMonitor re-checks holders of valid and suspended certificates against
// HR (ARCHITECTURE "Life after issue"): terminated -> revoke, on leave or
// suspended -> suspend (certificateHold), reinstated -> lift a suspension the
// monitor made. An unavailable source changes nothing and is retried on the
// next pass; "not found" suspends (reversible) rather than revokes, since a
// gateway error can look like an unknown person.
func (r *RA) RunMonitor(ctx context.Context, a Actor, batch int) (*MonitorReport, error) {
	if err := a.mustAdmin(); err != nil {
		return nil, r.refuse(ctx, a, "monitor.run", "appointment-monitor", err)
	}
	rep := &MonitorReport{}
	unlock, ok, err := r.store.TryLock(ctx, "appointment-monitor")
	if err != nil {
		return nil, err
	}
	if !ok {
		rep.Skipped = true
		return rep, nil
	}
	defer unlock()
	now := r.clk.Now()
	var after int64
	for {
		certs, err := r.store.CertificatesToMonitor(ctx, now.Add(-r.minMonitorInterval()), after, batch)
		if err != nil {
			return nil, err
		}
		if len(certs) == 0 {
			return rep, nil
		}
		after = certs[len(certs)-1].ID
		r.monitorPage(ctx, certs, now, rep)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
}

func (r *RA) monitorPage(ctx context.Context, certs []model.Certificate, now time.Time, rep *MonitorReport) {
	sys := System("appointment-monitor")
	for _, c := range certs {
		pol, err := r.policies.Get(c.PolicyID.String)
		if err != nil || !pol.Appointment.Required {
			continue
		}
		if interval, _ := time.ParseDuration(pol.Appointment.MonitorInterval); c.AppointmentCheck.Valid && now.Sub(c.AppointmentCheck.Time) < interval {
			continue
		}
		person, err := r.store.Person(ctx, c.PersonID.Int64)
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		facts := r.lookupAppointment(ctx, pol, c.OrgID.Int64, person)
		if facts.State == policies.AppointmentUnavailable {
			rep.Unavailable++
			continue // not marked checked: retried next pass
		}
		rep.Checked++
		in := StatusInput{CertificateID: c.ID, Requester: BySystem}
		hr := facts.Status
		switch {
		case facts.State == policies.AppointmentNotFound:
			rep.NotFound++
			hr = "not_found"
		case facts.Status == "active" && !facts.End.IsZero() && !now.Before(pol.AppointmentEnd(facts.End)):
			hr = "terminated" // the appointment ended (its last day is over, RULES P2)
		}
		switch hr {
		case "active":
			if c.Status == model.CertSuspended && isAutomatic(pol.StatusCodes.Suspension, c.StatusReasonID.String) {
				in.Kind = ChangeLift
			}
		default:
			in.Kind, in.ReasonID = reasonForHR(pol, hr)
			if in.Kind == ChangeSuspend && c.Status != model.CertValid {
				in.Kind = "" // already suspended
			}
			if in.Kind == "" && c.Status == model.CertValid {
				rep.Errors = append(rep.Errors, fmt.Sprintf("policy %s names no automatic reason for HR answer %q: certificate %s left as it is", pol.ID, hr, c.Serial))
			}
		}
		markChecked := func() {
			if err := r.store.InTx(ctx, func(tx Tx) error { return tx.MarkAppointmentChecked(ctx, c.ID) }); err != nil {
				rep.Errors = append(rep.Errors, err.Error())
			}
		}
		if in.Kind == "" {
			markChecked()
			continue
		}
		in.Statement = "Cambio detectado en el nombramiento por " + pol.Appointment.HRBody + " (" + facts.State + " " + facts.Status + ")."
		if _, err := r.ChangeStatus(ctx, sys, in); err != nil {
			rep.Errors = append(rep.Errors, err.Error()) // not marked checked: retried on the next pass
			continue
		}
		markChecked()
		switch in.Kind {
		case ChangeRevoke:
			rep.Revoked++
		case ChangeSuspend:
			rep.Suspended++
		case ChangeLift:
			rep.Lifted++
		}
	}
}

func (r *RA) minMonitorInterval() time.Duration {
	min := 24 * time.Hour
	for _, p := range r.policies {
		if d, err := time.ParseDuration(p.Appointment.MonitorInterval); err == nil && d < min {
			min = d
		}
	}
	return min
}

// reasonForHR chooses what an HR answer does under a policy: the reason
// that names it in hr_statuses; failing that, a termination revokes and any
// other answer suspends, with the policy's first automatic reason of the
// kind. No reason: nothing is done (the caller reports it).
func reasonForHR(pol *policies.Policy, hr string) (kind, reasonID string) {
	for _, x := range pol.StatusCodes.Suspension {
		if slices.Contains(x.HRStatuses, hr) {
			return ChangeSuspend, x.ID
		}
	}
	for _, x := range pol.StatusCodes.Revocation {
		if slices.Contains(x.HRStatuses, hr) {
			return ChangeRevoke, x.ID
		}
	}
	list, kind := pol.StatusCodes.Suspension, ChangeSuspend
	if hr == "terminated" {
		list, kind = pol.StatusCodes.Revocation, ChangeRevoke
	}
	for _, x := range list {
		if x.Automatic && len(x.HRStatuses) == 0 {
			return kind, x.ID
		}
	}
	return "", ""
}

func isAutomatic(list []policies.StatusReason, id string) bool {
	for _, x := range list {
		if x.ID == id {
			return x.Automatic
		}
	}
	return false
}
