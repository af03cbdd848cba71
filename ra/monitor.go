package ra

import (
	"context"
	"time"

	"github.com/sello-pki/sello/policies"
	"github.com/sello-pki/sello/store"
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
func (r *RA) RunMonitor(ctx context.Context, batch int) (*MonitorReport, error) {
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
	sys := System("appointment-monitor")
	certs, err := r.store.CertificatesToMonitor(ctx, now.Add(-r.minMonitorInterval()), batch)
	if err != nil {
		return nil, err
	}
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
		facts := r.lookupAppointment(ctx, pol, person)
		if facts.State == policies.AppointmentUnavailable {
			rep.Unavailable++
			continue // not marked checked: retried next pass
		}
		rep.Checked++
		in := StatusInput{CertificateID: c.ID, Requester: BySystem}
		switch {
		case facts.State == policies.AppointmentNotFound:
			rep.NotFound++
			if c.Status == store.CertValid {
				in.Kind, in.ReasonID = ChangeSuspend, automaticReason(pol.StatusCodes.Suspension)
			}
		case facts.Status == "terminated" || (facts.Status == "active" && !facts.End.IsZero() && !now.Before(facts.End)):
			in.Kind, in.ReasonID = ChangeRevoke, automaticReason(pol.StatusCodes.Revocation)
		case facts.Status == "on_leave" || facts.Status == "suspended":
			if c.Status == store.CertValid {
				in.Kind, in.ReasonID = ChangeSuspend, automaticReason(pol.StatusCodes.Suspension)
			}
		case facts.Status == "active":
			if c.Status == store.CertSuspended && isAutomatic(pol.StatusCodes.Suspension, c.StatusReasonID.String) {
				in.Kind = ChangeLift
			}
		}
		err = r.store.InTx(ctx, func(tx *store.Tx) error { return tx.MarkAppointmentChecked(ctx, c.ID) })
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		if in.Kind == "" {
			continue
		}
		if in.Kind != ChangeLift && in.ReasonID == "" {
			rep.Errors = append(rep.Errors, "policy "+pol.ID+" has no automatic reason for "+in.Kind)
			continue
		}
		in.Statement = "Cambio detectado en el nombramiento por " + pol.Appointment.HRBody + " (" + facts.State + " " + facts.Status + ")."
		if _, err := r.ChangeStatus(ctx, sys, in); err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		switch in.Kind {
		case ChangeRevoke:
			rep.Revoked++
		case ChangeSuspend:
			rep.Suspended++
		case ChangeLift:
			rep.Lifted++
		}
	}
	return rep, nil
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

func automaticReason(list []policies.StatusReason) string {
	for _, x := range list {
		if x.Automatic {
			return x.ID
		}
	}
	return ""
}

func isAutomatic(list []policies.StatusReason, id string) bool {
	for _, x := range list {
		if x.ID == id {
			return x.Automatic
		}
	}
	return false
}
