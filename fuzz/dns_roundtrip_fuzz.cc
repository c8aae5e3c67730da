// Fuzz target: parse -> write (uncompressed and compressed) -> parse must give the same message;
// a size-limited write must parse, fit, and keep a prefix of the records.
// zk-fuzz-libs: zk_dns zk_base
#include <cstdint>
#include <cstdlib>
#include <span>

#include "dns/message.h"

namespace {

template <typename T>
bool isPrefix(const std::vector<T>& part, const std::vector<T>& whole) {
  if (part.size() > whole.size()) return false;
  for (size_t i = 0; i < part.size(); ++i)
    if (!(part[i] == whole[i])) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = zk::dns::parseMessage(std::span<const uint8_t>(data, size));
  if (!m.ok()) return 0;
  for (bool compress : {false, true}) {
    zk::dns::WriteOptions o;
    o.max_size = size_t(1) << 24;  // no truncation: every record must come back
    o.compress = compress;
    auto wire = zk::dns::writeMessage(*m, o);
    auto again = zk::dns::parseMessage(wire);
    if (!again.ok()) std::abort();
    if (!(*again == *m)) std::abort();
    // Byte-exact records, case included (Name == is case-insensitive, so compare wire forms).
    for (size_t i = 0; i < m->answer.size(); ++i)
      if (again->answer[i].owner.wireString() != m->answer[i].owner.wireString()) std::abort();

    o.max_size = 512;
    auto small = zk::dns::writeMessage(*m, o);
    auto cut = zk::dns::parseMessage(small);
    if (!cut.ok()) std::abort();
    size_t floor = zk::dns::kHeaderSize + (m->edns ? 11 : 0);
    if (small.size() > 512 && small.size() > floor) std::abort();
    if (!isPrefix(cut->questions, m->questions) || !isPrefix(cut->answer, m->answer) ||
        !isPrefix(cut->authority, m->authority) || !isPrefix(cut->additional, m->additional))
      std::abort();
    bool complete = cut->questions.size() == m->questions.size() && cut->answer.size() == m->answer.size() &&
                    cut->authority.size() == m->authority.size();
    if (!complete && !cut->tc) std::abort();
  }
  return 0;
}
