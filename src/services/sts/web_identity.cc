// WebIdentityVerifier: issuer -> registered OIDC provider -> JWKS (discovery) -> signature and claims.
#include "services/sts/web_identity.h"

namespace zk::sts {
namespace {

WebIdentityFailure invalid(std::string message) {
  return {"InvalidIdentityTokenException", std::move(message)};
}

WebIdentityFailure fromJwt(const jose::JwtFailure& f) {
  switch (f.error) {
    case jose::JwtError::kExpired:
      return {"ExpiredTokenException", "Token expired: " + f.message};
    case jose::JwtError::kIssuerUnreachable:
      return {"IDPCommunicationErrorException",
              "Couldn't retrieve verification key from your identity provider,  please reference "
              "AssumeRoleWithWebIdentity documentation for requirements"};
    default:
      return invalid(f.message);
  }
}

}  // namespace

std::variant<WebIdentity, WebIdentityFailure> WebIdentityVerifier::verify(
    std::string_view token, const std::vector<iam::OidcProvider>& providers) {
  auto decoded = jose::decode(token);
  if (auto* f = std::get_if<jose::JwtFailure>(&decoded)) return fromJwt(*f);
  const std::string& iss = std::get<jose::UnverifiedJwt>(decoded).iss;
  constexpr std::string_view kScheme = "https://";
  if (iss.compare(0, kScheme.size(), kScheme) != 0)
    return invalid("The issuer of the token is not an https URL");
  std::string url = iss.substr(kScheme.size());
  while (!url.empty() && url.back() == '/') url.pop_back();
  const iam::OidcProvider* provider = nullptr;
  for (const auto& p : providers)
    if (p.url == url) provider = &p;
  if (provider == nullptr) return invalid("No OpenIDConnect provider found in your account for " + iss);

  auto verified = jose::verifyWithIssuer(token, keys_, clock_.now());
  if (auto* f = std::get_if<jose::JwtFailure>(&verified)) return fromJwt(*f);
  jose::VerifiedJwt& jwt = std::get<jose::VerifiedJwt>(verified);

  WebIdentity id;
  id.provider_arn = provider->arn;
  id.provider_url = provider->url;
  id.subject = jwt.sub;
  for (const std::string& aud : jwt.aud)
    for (const std::string& client : provider->client_ids)
      if (aud == client && id.audience.empty()) id.audience = aud;
  if (id.audience.empty()) return invalid("Incorrect token audience");
  if (id.subject.empty()) return invalid("The token has no sub claim");
  if (auto amr = jwt.claims.find("amr"); amr != jwt.claims.end()) {
    if (amr->is_string()) id.amr.push_back(*amr);
    if (amr->is_array())
      for (const auto& v : *amr)
        if (v.is_string()) id.amr.push_back(v);
  }
  id.token = std::move(jwt);
  return id;
}

}  // namespace zk::sts
