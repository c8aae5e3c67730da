// Persistent hash array mapped trie (32-way, bitmap + popcount) from name hash to Node, path-copying.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "zone/lookup_name.h"
#include "zone/node.h"

namespace zk::zone::hamt {

// A tagged pointer to a Branch (tag 0), a leaf Node (tag 1) or a Collision list (tag 2); 0 = empty.
// Every structure is immutable once reachable from a published root and reference counted, so an
// update copies only the path from the root to the changed leaf (<= 13 small nodes) and shares the
// rest with the previous version (Bagwell, "Ideal Hash Trees", 2001).
using Slot = uintptr_t;

inline constexpr uintptr_t kTagBranch = 0, kTagLeaf = 1, kTagCollision = 2, kTagMask = 3;
inline constexpr unsigned kMaxLevel = 12;  // 12 levels x 5 bits = the top 60 bits of the hash

struct Branch {
  std::atomic<uint32_t> refs;
  uint32_t bitmap;
  Slot* slots() { return reinterpret_cast<Slot*>(this + 1); }
  const Slot* slots() const { return reinterpret_cast<const Slot*>(this + 1); }
};
struct Collision {  // leaves whose hashes agree on the top 60 bits
  std::atomic<uint32_t> refs;
  uint32_t count;
  Slot* slots() { return reinterpret_cast<Slot*>(this + 1); }
  const Slot* slots() const { return reinterpret_cast<const Slot*>(this + 1); }
};
static_assert(sizeof(Branch) == 8 && sizeof(Collision) == 8);

inline uintptr_t tag(Slot s) { return s & kTagMask; }
inline const Node* asLeaf(Slot s) { return reinterpret_cast<const Node*>(s & ~kTagMask); }
inline const Branch* asBranch(Slot s) { return reinterpret_cast<const Branch*>(s); }
inline const Collision* asCollision(Slot s) { return reinterpret_cast<const Collision*>(s & ~kTagMask); }
inline unsigned indexAt(uint64_t h, unsigned level) { return unsigned(h >> (59 - 5 * level)) & 31; }

// Nodes do not store their hash: the path already matched its top bits, the name decides.
inline bool leafMatches(const Node* n, const uint8_t* lower, size_t len) {
  return n->name().size() == len && wireEqualsLower(n->name().data(), lower, len);
}

// The node whose lowercased name is `lower` (hash `hash`), or null. Wait-free, no allocation.
inline const Node* find(Slot s, uint64_t hash, const uint8_t* lower, size_t len) {
  unsigned level = 0;
  while (s != 0) {
    switch (tag(s)) {
      case kTagLeaf: {
        const Node* n = asLeaf(s);
        return leafMatches(n, lower, len) ? n : nullptr;
      }
      case kTagBranch: {
        const Branch* b = asBranch(s);
        uint32_t bit = uint32_t(1) << indexAt(hash, level);
        if (!(b->bitmap & bit)) return nullptr;
        s = b->slots()[std::popcount(b->bitmap & (bit - 1))];
        ++level;
        break;
      }
      default: {
        const Collision* c = asCollision(s);
        for (uint32_t i = 0; i < c->count; ++i) {
          const Node* n = asLeaf(c->slots()[i]);
          if (leafMatches(n, lower, len)) return n;
        }
        return nullptr;
      }
    }
  }
  return nullptr;
}

void retain(Slot s);
void release(Slot s);

// How to get the hash of a node already in the trie (nodes do not store it). The default hashes
// the lowercased name (zone/lookup_name.h); tests substitute crafted hashes.
using Hasher = uint64_t (*)(const Node&);
uint64_t defaultHasher(const Node& n);

// Returns a new root holding one reference; `root` keeps its own. Consumes one reference of
// `leaf`, whose hash is `hash`. Replaces the node with the same (case-insensitive) name if any.
Slot insert(Slot root, uint64_t hash, Node* leaf, Hasher hasher = defaultHasher);
// Returns a new root holding one reference, or sets *found = false and returns `root` (no
// reference taken) when the name is absent.
Slot remove(Slot root, uint64_t hash, const uint8_t* lower, size_t len, bool* found);
// Builds a trie from nodes with distinct names, given with their hashes and sorted by ascending
// hash; consumes their references. Reads only the pairs (no node memory), so it is cache-friendly.
struct HashedNode {
  uint64_t hash;
  Node* node;
};
Slot build(std::span<const HashedNode> sorted);

// Calls fn(const Node&) for every node, in hash order.
template <typename F>
void forEach(Slot s, F&& fn) {
  if (s == 0) return;
  switch (tag(s)) {
    case kTagLeaf:
      fn(*asLeaf(s));
      return;
    case kTagBranch: {
      const Branch* b = asBranch(s);
      int n = std::popcount(b->bitmap);
      for (int i = 0; i < n; ++i) forEach(b->slots()[i], fn);
      return;
    }
    default: {
      const Collision* c = asCollision(s);
      for (uint32_t i = 0; i < c->count; ++i) fn(*asLeaf(c->slots()[i]));
      return;
    }
  }
}

// Bytes held by trie structure (branches and collision lists, not the nodes).
size_t structureBytes(Slot s);

}  // namespace zk::zone::hamt
