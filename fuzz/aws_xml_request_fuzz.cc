// Fuzz target for the AWS request decoders: rest-xml bodies (Route 53), plus JSON (ACM) and form (STS/IAM).
// zk-fuzz-libs: zk_aws zk_base
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "aws/json_protocol.h"
#include "aws/query_protocol.h"
#include "aws/rest_xml.h"

namespace {

struct Models {
  std::shared_ptr<const zk::aws::ServiceModel> route53, acm, sts, iam;
};

const Models& models() {
  static const Models m = [] {
    Models x;
    x.route53 = *zk::aws::ServiceModel::loadEmbedded("route53");
    x.acm = *zk::aws::ServiceModel::loadEmbedded("acm");
    x.sts = *zk::aws::ServiceModel::loadEmbedded("sts");
    x.iam = *zk::aws::ServiceModel::loadEmbedded("iam");
    return x;
  }();
  return m;
}

// A decoded request must survive being re-validated; serializing an arbitrary error must not fail.
void check(const zk::aws::ServiceModel& model, const zk::Result<zk::aws::OperationRequest>& r) {
  if (r.ok()) {
    const zk::aws::Operation* op = model.findOperation(r->operation);
    if (op == nullptr) __builtin_trap();
    if (op->input && !model.validate(*op->input, r->input).isOk()) __builtin_trap();
    (void)r->input.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);  // valid UTF-8 only
  } else {
    zk::aws::ResponseHeaders h;
    (void)zk::aws::serializeRestXmlError(model, zk::aws::errorFromStatus(r.status(), model.protocol()),
                                         "fuzz", h);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Models& m = models();
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const zk::aws::HeaderLookup no_headers = [](std::string_view) { return std::optional<std::string_view>(); };
  const size_t first = in.find_first_not_of(" \t\r\n");
  const char lead = first == std::string_view::npos ? '\0' : in[first];
  if (lead == '{' || lead == '[') {
    for (const char* target :
         {"CertificateManager.RequestCertificate", "CertificateManager.ImportCertificate",
          "CertificateManager.ListCertificates"}) {
      check(*m.acm, zk::aws::parseJsonRequest(*m.acm, target, in));
    }
    return 0;
  }
  if (lead != '<' && lead != '\0') {
    check(*m.sts, zk::aws::parseQueryRequest(*m.sts, in, {}));
    check(*m.iam, zk::aws::parseQueryRequest(*m.iam, {}, in));
    // The same bytes as a Route 53 query string.
    check(*m.route53, zk::aws::parseRestXmlRequest(*m.route53, "GET", "/2013-04-01/hostedzone/Z1/rrset", in,
                                                   no_headers, {}));
    return 0;
  }
  check(*m.route53, zk::aws::parseRestXmlRequest(*m.route53, "POST", "/2013-04-01/hostedzone/Z1/rrset/", {},
                                                 no_headers, in));
  check(*m.route53,
        zk::aws::parseRestXmlRequest(*m.route53, "POST", "/2013-04-01/hostedzone", {}, no_headers, in));
  check(*m.route53, zk::aws::parseRestXmlRequest(*m.route53, "POST", "/2013-04-01/tags/hostedzone/Z1", {},
                                                 no_headers, in));
  return 0;
}
