package store_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/sello-pki/sello/internal/errs"
	"github.com/sello-pki/sello/store"
	"github.com/sello-pki/sello/store/storetest"
)

// The Tx's reads run on the transaction's connection: they see what the
// transaction wrote before it commits, and a rolled-back write is gone.
func TestTxReadsSeeTheTransactionsOwnWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		o := &store.Organisation{Code: "SEP-COL", Name: "Secretaría de Educación Colima", PolicyID: "colima"}
		serial := big.NewInt(0x5e110)
		na := e.Clock.Now().Add(24 * time.Hour)
		rollback := errs.New(errs.Conflict, "rolled back on purpose")
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			got, err := tx.Organisation(ctx, o.ID)
			if err != nil || got.Code != o.Code {
				t.Errorf("tx.Organisation = %+v, %v", got, err)
			}
			c := &store.Certificate{IssuerID: "ext-1", Serial: store.SerialHex(serial), OrgID: store.NullInt(o.ID), Subject: "CN=X",
				KeyFingerprint: "k-tx", CertFingerprint: "c-tx", NotBefore: e.Clock.Now(), NotAfter: na, DER: []byte{0x30}}
			if err := tx.ReserveSerial(ctx, c.IssuerID, serial, na); err != nil {
				return err
			}
			if err := tx.InsertCertificate(ctx, c); err != nil {
				return err
			}
			if got, err := tx.Certificate(ctx, c.ID); err != nil || got.Serial != c.Serial {
				t.Errorf("tx.Certificate = %+v, %v", got, err)
			}
			if got, err := tx.UnexpiredCertificatesWithKey(ctx, "k-tx", e.Clock.Now()); err != nil || len(got) != 1 {
				t.Errorf("tx.UnexpiredCertificatesWithKey = %d, %v", len(got), err)
			}
			if got, err := tx.ListCertificates(ctx, store.CertificateFilter{OrgID: o.ID}); err != nil || len(got) != 1 {
				t.Errorf("tx.ListCertificates = %d, %v", len(got), err)
			}
			return rollback
		})
		if err != rollback {
			t.Fatalf("InTx = %v", err)
		}
		if _, err := s.Organisation(ctx, o.ID); !errs.Has(err, errs.NotFound) {
			t.Errorf("rolled-back organisation: %v, want not found", err)
		}
	})
}

// Homologation records another authority's serial in its own transaction;
// the same serial of the same issuer twice is a conflict.
func TestTxReserveSerialRefusesADuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		s := e.Store
		serial := big.NewInt(0xabcdef)
		na := e.Clock.Now().Add(24 * time.Hour)
		reserve := func(issuer string) error {
			return s.InTx(ctx, func(tx *store.Tx) error { return tx.ReserveSerial(ctx, issuer, serial, na) })
		}
		if err := reserve("ext-a"); err != nil {
			t.Fatal(err)
		}
		if err := reserve("ext-a"); !errs.Has(err, errs.Conflict) {
			t.Errorf("second reservation: %v, want conflict", err)
		}
		if err := s.ReserveSerial(ctx, "ext-a", serial, na); !errs.Has(err, errs.Conflict) {
			t.Errorf("pool reservation of the same serial: %v, want conflict", err)
		}
		if err := reserve("ext-b"); err != nil {
			t.Errorf("same serial, other issuer: %v", err)
		}
	})
}

func TestEnrollmentOrgOfAMissingEnrollmentIsNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		if _, err := e.Store.EnrollmentOrg(ctx, 987654); !errs.Has(err, errs.NotFound) {
			t.Errorf("pool: %v, want not found", err)
		}
		err := e.Store.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.EnrollmentOrg(ctx, 987654)
			return err
		})
		if !errs.Has(err, errs.NotFound) {
			t.Errorf("tx: %v, want not found", err)
		}
	})
}
