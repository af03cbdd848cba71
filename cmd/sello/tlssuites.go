package main

import "crypto/tls"

// tls12Suites are the only TLS 1.2 cipher suites the HTTPS listener offers:
// ECDHE key exchange (forward secrecy) with an AEAD cipher. CBC suites with
// their SHA-1 MACs (Lucky13-style padding oracles) and static-RSA key
// exchange are left out. TLS 1.3, whose suites are all AEAD and not
// configurable in Go, stays as it is.
var tls12Suites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}
