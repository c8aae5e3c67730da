// Text rendering of resource records.
#include "dns/rr.h"

#include "dns/rdata.h"

namespace zk::dns {

std::string recordToText(const ResourceRecord& rr) {
  std::string out = rr.owner.toText();
  out.push_back('\t');
  out += std::to_string(rr.ttl);
  out.push_back('\t');
  out += classToText(rr.klass);
  out.push_back('\t');
  out += typeToText(rr.type);
  out.push_back('\t');
  out += rdataToText(rr.type, rr.rdata);
  return out;
}

}  // namespace zk::dns
