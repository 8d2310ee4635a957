// A deployment's own certificate authority, made per run (embedded server) or by
// `troupe credentials`: it signs the NATS server's certificate and one client
// certificate per identity, so the server takes only clients of this deployment and the
// clients take only this deployment's server (mutual TLS, docs/security.md).
#pragma once

#include <string>
#include <vector>

namespace troupe {

// PEM text of a certificate and its private key (P-256).
struct tls_pair {
  std::string cert, key;
};

struct tls_authority {
  tls_pair ca;  // self-signed; its key signs the others
};

// A fresh authority named `name` (the deployment), valid for `days`. Throws naming
// what OpenSSL refused.
tls_authority make_authority(const std::string& name, int days = 30);
// A certificate for the NATS server, naming `hosts` (DNS names or IP addresses).
tls_pair issue_server(const tls_authority& ca, const std::vector<std::string>& hosts, int days = 30);
// A client certificate whose subject is `who` (deployment:identity).
tls_pair issue_client(const tls_authority& ca, const std::string& who, int days = 30);

// Whether `cert` was signed by `ca_cert` (both PEM) and its key is `key`: what a
// test and `troupe credentials` check before handing the files out.
bool signed_by(const std::string& cert, const std::string& ca_cert);
bool key_matches(const std::string& cert, const std::string& key);
// The subject's common name and the DNS/IP names of a PEM certificate.
std::string common_name(const std::string& cert);
std::vector<std::string> alt_names(const std::string& cert);

}  // namespace troupe
