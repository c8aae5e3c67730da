// WebIdentityVerifier: an OIDC ID token (JWT) checked against its issuer's published keys.
#pragma once

// The issuer must be one of the account's registered OIDC providers (iam::OidcProvider: URL without
// "https://"; unlike AWS, a port is allowed), the token's `aud` one of its client ids; the signature is
// verified against the JWKS found by OIDC discovery over HTTPS (jose::JwksCache). Errors carry AWS's STS
// codes: InvalidIdentityToken, ExpiredTokenException, IDPCommunicationError.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html#API_AssumeRoleWithWebIdentity_Errors

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "jose/jwks_cache.h"
#include "jose/jwt.h"
#include "services/iam/store.h"

namespace zk::sts {

struct WebIdentity {
  std::string provider_arn;  // arn:aws:iam::ACCT:oidc-provider/host[:port]/path
  std::string provider_url;  // host[:port]/path: the prefix of the trust condition keys (url:sub, url:aud)
  std::string subject, audience;
  std::vector<std::string> amr;
  jose::VerifiedJwt token;
};

struct WebIdentityFailure {
  std::string code;  // the STS error shape name, e.g. "InvalidIdentityTokenException"
  std::string message;
};

class WebIdentityVerifier {
 public:
  WebIdentityVerifier(jose::JwksCache& keys, const Clock& clock) : keys_(keys), clock_(clock) {}
  // `providers`: the OIDC providers of the role's account.
  std::variant<WebIdentity, WebIdentityFailure> verify(std::string_view token,
                                                       const std::vector<iam::OidcProvider>& providers);

 private:
  jose::JwksCache& keys_;
  const Clock& clock_;
};

}  // namespace zk::sts
