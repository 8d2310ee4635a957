#include "actors/runtime/deploy/tls_material.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace troupe {

namespace {

template <class T, void (*Free)(T*)>
struct freer {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, freer<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, freer<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "no detail";
  if (auto e = ERR_get_error())
    ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  throw std::runtime_error("TLS: cannot " + what + " (" + buf + ")");
}

void need(int ok, const std::string& what) {
  if (ok != 1)
    fail(what);
}

pkey_ptr new_key() {
  pkey_ptr k(EVP_EC_gen("P-256"));
  if (!k)
    fail("make a P-256 key");
  return k;
}

bio_ptr mem_bio(const std::string& pem) {
  bio_ptr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!b)
    fail("read PEM text");
  return b;
}

std::string drain(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string pem_of(X509* cert) {
  bio_ptr b(BIO_new(BIO_s_mem()));
  need(PEM_write_bio_X509(b.get(), cert), "write a certificate");
  return drain(b.get());
}

std::string pem_of(EVP_PKEY* key) {
  bio_ptr b(BIO_new(BIO_s_mem()));
  need(PEM_write_bio_PrivateKey(b.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "write a key");
  return drain(b.get());
}

x509_ptr read_cert(const std::string& pem) {
  auto b = mem_bio(pem);
  x509_ptr c(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
  if (!c)
    fail("read a certificate");
  return c;
}

pkey_ptr read_key(const std::string& pem) {
  auto b = mem_bio(pem);
  pkey_ptr k(PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
  if (!k)
    fail("read a private key");
  return k;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr)
    fail("make extension " + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  need(ok, "add extension " + value);
}

// A certificate for `key` named `cn`, valid from now for `days`, not yet signed.
x509_ptr draft(EVP_PKEY* key, const std::string& cn, int days) {
  x509_ptr cert(X509_new());
  need(X509_set_version(cert.get(), 2), "set the version");
  unsigned char serial[16];
  need(RAND_bytes(serial, sizeof(serial)), "draw a serial number");
  serial[0] &= 0x7f;  // a positive number
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (sn == nullptr)
    fail("set the serial number");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);  // clocks of hosts differ a little
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  need(X509_set_pubkey(cert.get(), key), "set the public key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  need(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()),
                                  -1, -1, 0),
       "name the certificate " + cn);
  return cert;
}

tls_pair issue(const tls_authority& ca, const std::string& cn, const std::string& usage,
               const std::string& alt, int days) {
  auto ca_cert = read_cert(ca.ca.cert);
  auto ca_key = read_key(ca.ca.key);
  auto key = new_key();
  auto cert = draft(key.get(), cn, days);
  need(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())), "set the issuer");
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, usage);
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid");
  if (!alt.empty())
    add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, alt);
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0)
    fail("sign " + cn);
  return {pem_of(cert.get()), pem_of(key.get())};
}

bool is_ip(const std::string& host) {
  return host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
}

}  // namespace

tls_authority make_authority(const std::string& name, int days) {
  auto key = new_key();
  auto cert = draft(key.get(), name + " certificate authority", days);
  need(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "set the issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
    fail("sign the authority");
  return {{pem_of(cert.get()), pem_of(key.get())}};
}

tls_pair issue_server(const tls_authority& ca, const std::vector<std::string>& hosts, int days) {
  if (hosts.empty())
    throw std::invalid_argument("TLS: a server certificate needs at least one host name");
  std::string alt;
  for (auto& h : hosts)
    alt += (alt.empty() ? "" : ",") + std::string(is_ip(h) ? "IP:" : "DNS:") + h;
  return issue(ca, hosts.front(), "serverAuth", alt, days);
}

tls_pair issue_client(const tls_authority& ca, const std::string& who, int days) {
  return issue(ca, who, "clientAuth", "", days);
}

bool signed_by(const std::string& cert, const std::string& ca_cert) {
  auto c = read_cert(cert);
  auto ca = read_cert(ca_cert);
  pkey_ptr ca_key(X509_get_pubkey(ca.get()));
  bool ok = ca_key && X509_verify(c.get(), ca_key.get()) == 1;
  ERR_clear_error();
  return ok;
}

bool key_matches(const std::string& cert, const std::string& key) {
  auto c = read_cert(cert);
  auto k = read_key(key);
  bool ok = X509_check_private_key(c.get(), k.get()) == 1;
  ERR_clear_error();
  return ok;
}

std::string common_name(const std::string& cert) {
  auto c = read_cert(cert);
  char buf[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(c.get()), NID_commonName, buf, sizeof(buf));
  return buf;
}

std::vector<std::string> alt_names(const std::string& cert) {
  auto c = read_cert(cert);
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(c.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                       static_cast<size_t>(ASN1_STRING_length(n->d.dNSName)));
    } else if (n->type == GEN_IPADD && ASN1_STRING_length(n->d.iPAddress) == 4) {
      auto* b = ASN1_STRING_get0_data(n->d.iPAddress);
      out.push_back(std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
                    std::to_string(b[3]));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace troupe
