// How a query reached the server (transport, zone-transfer permission), passed to the answering code.
#pragma once

namespace zk::authdns {

enum class Transport { kUdp, kTcp };

// Filled in by the network server for every query; the query engine reads it to pick the size
// limit (UDP: EDNS/512, TCP: 65535) and to refuse AXFR to peers outside the allow list.
struct QueryContext {
  Transport transport = Transport::kUdp;
  bool axfr_allowed = false;  // peer matched ServerConfig::axfr_allow (always false over UDP)
};

}  // namespace zk::authdns
