package main

import (
	"reflect"
	"testing"

	"github.com/sello-pki/sello/internal/config"
	"github.com/sello-pki/sello/store"
)

// RULES R1, issue 17: serve warns about every policy in use without an HR
// source: the default one, and those of organisations not covered.
func TestRule_R1_ServeWarnsAboutPoliciesWithoutHR(t *testing.T) {
	cfg := &config.Config{DefaultPolicy: "jalisco", HR: []config.HRSource{
		{Policy: "jalisco"},
		{Policy: "tijuana", Organisations: []string{"RH-TIJ"}},
	}}
	orgs := []store.Organisation{{Code: "SEP-JAL", PolicyID: "jalisco"}, {Code: "RH-TIJ", PolicyID: "tijuana"},
		{Code: "DIF-TIJ", PolicyID: "tijuana"}, {Code: "SEDUZAC", PolicyID: "zacatecas"}}
	got := withoutHR(cfg, orgs)
	want := map[string][]string{"tijuana": {"DIF-TIJ"}, "zacatecas": {"SEDUZAC"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("without HR: %v, want %v", got, want)
	}
	if got := withoutHR(&config.Config{DefaultPolicy: "jalisco"}, nil); !reflect.DeepEqual(got, map[string][]string{"jalisco": nil}) {
		t.Fatalf("a fresh deployment without hr: %v", got)
	}
}
