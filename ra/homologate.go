package ra

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"time"

	"github.com/sello-pki/sello/ca"
	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/internal/jobs"
	"github.com/sello-pki/sello/internal/model"
	"github.com/sello-pki/sello/policies/validate"
)

// HomologationRequest asks to register a certificate another certification
// authority issued (RULES O4, Zacatecas art. 60-63).
type HomologationRequest struct {
	OrgCode     string
	Person      model.PersonData
	Title       string
	Certificate []byte // PEM or DER; intermediates may follow in PEM
}

// Homologate validates a foreign certificate electronically (its chain
// reaches a trusted authority, it is current, its key is acceptable and not
// another person's, and it names the holder by the identifier the policy
// uses) and enters it in the registry as homologated. The holder's data are
// recorded as for any applicant.
func (r *RA) Homologate(ctx context.Context, actor Actor, req HomologationRequest) (*model.Certificate, error) {
	obj := "homologation:" + req.OrgCode
	rec, err := r.homologate(ctx, actor, req)
	if err != nil {
		return nil, r.refuse(ctx, actor, "cert.homologate", obj, err)
	}
	return rec, nil
}

func (r *RA) homologate(ctx context.Context, actor Actor, req HomologationRequest) (*model.Certificate, error) {
	if r.homologationRoots == nil {
		// Not the caller's fault and not a bug: the operator has not named
		// the authorities to trust. Say so to both (503, and a log line).
		r.log.Warn("homologation refused: no trusted authorities are configured (put their PEM certificates in <data>/homologation/)",
			"actor", actor.String(), "organisation", req.OrgCode)
		return nil, errs.New(errs.Unavailable, "homologation is not available: no trusted authorities are configured on this server")
	}
	org, pol, err := r.orgPolicy(ctx, req.OrgCode)
	if err != nil {
		return nil, err
	}
	if err := actor.MustAct(org.ID); err != nil {
		return nil, err
	}
	if org.Status != model.OrgAccredited {
		return nil, errs.New(errs.Forbidden, "organisation %s is %s", org.Code, org.Status)
	}
	leaf, inter, err := parseCertificates(req.Certificate)
	if err != nil {
		return nil, err
	}
	now := r.clk.Now()
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: r.homologationRoots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, errs.Wrap(errs.Forbidden, err, "the certificate does not validate against a trusted authority: %v", err)
	}
	if err := ca.CheckKey(leaf.PublicKey); err != nil {
		return nil, err
	}
	d := req.Person
	if err := checkPerson(d); err != nil {
		return nil, err
	}
	if err := checkNames("title", req.Title); err != nil {
		return nil, err
	}
	if err := checkIdentifiers(&d, pol.IdentifierKind(), false); err != nil {
		return nil, err
	}
	if err := validate.InstitutionalEmail(d.Email, pol.Email.Domains); err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "%s", err.Error())
	}
	id := map[string]string{"CURP": d.CURP, "RFC": d.RFC, "DNI": d.DNI}[pol.IdentifierKind()]
	if !strings.Contains(strings.ToUpper(leaf.Subject.SerialNumber), id) {
		return nil, errs.New(errs.Malformed, "the certificate's subject serialNumber (%q) does not carry the holder's %s", leaf.Subject.SerialNumber, pol.IdentifierKind())
	}
	keyFP, err := ca.KeyFingerprint(leaf.PublicKey)
	if err != nil {
		return nil, errs.Wrap(errs.BadPublicKey, err, "public key")
	}
	var out *model.Certificate
	err = r.store.InTx(ctx, func(tx Tx) error {
		person, err := r.findOrCreatePerson(ctx, tx, pol, d)
		if err != nil {
			return err
		}
		others, err := tx.UnexpiredCertificatesWithKey(ctx, keyFP, now)
		if err != nil {
			return err
		}
		for _, c := range others {
			if !c.PersonID.Valid || c.PersonID.Int64 != person.ID {
				return errs.New(errs.DuplicateKey, "this key is already in a valid certificate of another person")
			}
		}
		issuerID := foreignIssuerID(leaf)
		serial := model.SerialHex(leaf.SerialNumber)
		if err := tx.ReserveSerial(ctx, issuerID, leaf.SerialNumber, leaf.NotAfter); err != nil {
			if errs.Has(err, errs.Conflict) {
				return errs.New(errs.Conflict, "certificate %s of %s is already registered", serial, leaf.Issuer.CommonName)
			}
			return err
		}
		sum := sha256.Sum256(leaf.Raw)
		out = &model.Certificate{IssuerID: issuerID, Serial: serial, OrgID: model.NullInt(org.ID), PersonID: model.NullInt(person.ID),
			Subject: leaf.Subject.String(), KeyFingerprint: keyFP, CertFingerprint: hex.EncodeToString(sum[:]),
			NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, DER: leaf.Raw, PolicyID: sql.NullString{String: pol.ID, Valid: true},
			Origin: "homologated"}
		if err := tx.InsertCertificate(ctx, out); err != nil {
			return err
		}
		obj := "cert:" + issuerID + "/" + serial
		if _, err := tx.Audit(ctx, model.Event{Actor: actor.String(), Action: "cert.homologate", Object: obj, Outcome: model.OutcomeOK,
			Details: map[string]any{"org": org.Code, "issuer": leaf.Issuer.String(), "person": person.ID, "notAfter": leaf.NotAfter.Format(time.RFC3339)}}); err != nil {
			return err
		}
		return jobs.Enqueue(ctx, tx, jobs.NewLDAPPublish(certRef(out), jobs.Change{Event: "homologated"}))
	})
	return out, err
}

// foreignIssuerID names another authority's issuing CA by its subject and
// key identifier (its certificate is not at hand in the store).
func foreignIssuerID(leaf *x509.Certificate) string {
	sum := sha256.Sum256(append(append([]byte{}, leaf.RawIssuer...), leaf.AuthorityKeyId...))
	return "ext-" + hex.EncodeToString(sum[:12])
}

func parseCertificates(data []byte) (*x509.Certificate, *x509.CertPool, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, nil, errs.New(errs.Malformed, "unexpected PEM block %q (want CERTIFICATE)", blk.Type)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, nil, errs.New(errs.Malformed, "not a certificate: %v", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, nil, errs.New(errs.Malformed, "not a certificate (PEM or DER): %v", err)
		}
		certs = append(certs, c)
	}
	pool := x509.NewCertPool()
	for _, c := range certs[1:] {
		pool.AddCert(c)
	}
	return certs[0], pool, nil
}
