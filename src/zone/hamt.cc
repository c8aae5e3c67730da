// Path-copying insert/remove, bulk build and reclamation of the persistent HAMT.
#include "zone/hamt.h"

#include <cstdlib>
#include <new>

namespace zk::zone::hamt {

namespace {

Branch* allocBranch(uint32_t bitmap) {
  size_t n = size_t(std::popcount(bitmap));
  void* mem = std::malloc(sizeof(Branch) + n * sizeof(Slot));
  if (mem == nullptr) throw std::bad_alloc();
  Branch* b = new (mem) Branch{{1}, bitmap};
  return b;
}

Collision* allocCollision(uint32_t count) {
  void* mem = std::malloc(sizeof(Collision) + count * sizeof(Slot));
  if (mem == nullptr) throw std::bad_alloc();
  return new (mem) Collision{{1}, count};
}

Slot leafSlot(const Node* n) { return reinterpret_cast<Slot>(n) | kTagLeaf; }
Slot branchSlot(Branch* b) { return reinterpret_cast<Slot>(b); }
Slot collisionSlot(Collision* c) { return reinterpret_cast<Slot>(c) | kTagCollision; }
Branch* mutBranch(Slot s) { return reinterpret_cast<Branch*>(s); }
Collision* mutCollision(Slot s) { return reinterpret_cast<Collision*>(s & ~kTagMask); }

bool sameName(const Node* a, const Node* b) {
  auto x = a->name(), y = b->name();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (dns::asciiLower(x[i]) != dns::asciiLower(y[i])) return false;
  return true;
}

// A subtree holding both `a` and `b` (owned references) at `level`.
Slot merge(Slot a, uint64_t ha, Slot b, uint64_t hb, unsigned level) {
  if (level >= kMaxLevel) {  // both are leaves whose top 60 bits agree
    Collision* c = allocCollision(2);
    c->slots()[0] = a;
    c->slots()[1] = b;
    return collisionSlot(c);
  }
  unsigned ia = indexAt(ha, level), ib = indexAt(hb, level);
  if (ia == ib) {
    Branch* br = allocBranch(uint32_t(1) << ia);
    br->slots()[0] = merge(a, ha, b, hb, level + 1);
    return branchSlot(br);
  }
  Branch* br = allocBranch((uint32_t(1) << ia) | (uint32_t(1) << ib));
  br->slots()[ia < ib ? 0 : 1] = a;
  br->slots()[ia < ib ? 1 : 0] = b;
  return branchSlot(br);
}

Slot insertAt(Slot s, uint64_t h, Node* leaf, unsigned level, Hasher hasher) {
  if (s == 0) return leafSlot(leaf);
  switch (tag(s)) {
    case kTagLeaf: {
      const Node* old = asLeaf(s);
      if (sameName(old, leaf)) return leafSlot(leaf);
      old->retain();
      return merge(s, hasher(*old), leafSlot(leaf), h, level);
    }
    case kTagBranch: {
      const Branch* b = asBranch(s);
      uint32_t bit = uint32_t(1) << indexAt(h, level);
      int n = std::popcount(b->bitmap);
      int pos = std::popcount(b->bitmap & (bit - 1));
      if (b->bitmap & bit) {
        Branch* copy = allocBranch(b->bitmap);
        for (int i = 0; i < n; ++i) {
          if (i == pos) continue;
          copy->slots()[i] = b->slots()[i];
          retain(b->slots()[i]);
        }
        copy->slots()[pos] = insertAt(b->slots()[pos], h, leaf, level + 1, hasher);
        return branchSlot(copy);
      }
      Branch* copy = allocBranch(b->bitmap | bit);
      for (int i = 0, j = 0; i < n; ++i, ++j) {
        if (j == pos) ++j;
        copy->slots()[j] = b->slots()[i];
        retain(b->slots()[i]);
      }
      copy->slots()[pos] = leafSlot(leaf);
      return branchSlot(copy);
    }
    default: {
      const Collision* c = asCollision(s);
      uint64_t ch = hasher(*asLeaf(c->slots()[0]));
      if (((ch ^ h) >> 4) != 0) {  // not part of this collision list: split above it
        retain(s);
        return merge(s, ch, leafSlot(leaf), h, level);
      }
      int replace = -1;
      for (uint32_t i = 0; i < c->count; ++i)
        if (sameName(asLeaf(c->slots()[i]), leaf)) replace = int(i);
      Collision* copy = allocCollision(c->count + (replace < 0 ? 1 : 0));
      for (uint32_t i = 0; i < c->count; ++i) {
        if (int(i) == replace) {
          copy->slots()[i] = leafSlot(leaf);
        } else {
          copy->slots()[i] = c->slots()[i];
          retain(c->slots()[i]);
        }
      }
      if (replace < 0) copy->slots()[c->count] = leafSlot(leaf);
      return collisionSlot(copy);
    }
  }
}

Slot removeAt(Slot s, uint64_t h, const uint8_t* lower, size_t len, unsigned level, bool* found) {
  *found = false;
  if (s == 0) return s;
  switch (tag(s)) {
    case kTagLeaf:
      if (leafMatches(asLeaf(s), lower, len)) {
        *found = true;
        return 0;
      }
      return s;
    case kTagBranch: {
      const Branch* b = asBranch(s);
      uint32_t bit = uint32_t(1) << indexAt(h, level);
      if (!(b->bitmap & bit)) return s;
      int n = std::popcount(b->bitmap);
      int pos = std::popcount(b->bitmap & (bit - 1));
      Slot nc = removeAt(b->slots()[pos], h, lower, len, level + 1, found);
      if (!*found) return s;
      if (nc == 0) {
        if (n == 1) return 0;
        if (n == 2 && tag(b->slots()[1 - pos]) != kTagBranch) {  // collapse a lone leaf upwards
          retain(b->slots()[1 - pos]);
          return b->slots()[1 - pos];
        }
        Branch* copy = allocBranch(b->bitmap & ~bit);
        for (int i = 0, j = 0; i < n; ++i) {
          if (i == pos) continue;
          copy->slots()[j++] = b->slots()[i];
          retain(b->slots()[i]);
        }
        return branchSlot(copy);
      }
      if (n == 1 && tag(nc) != kTagBranch) return nc;
      Branch* copy = allocBranch(b->bitmap);
      for (int i = 0; i < n; ++i) {
        if (i == pos) continue;
        copy->slots()[i] = b->slots()[i];
        retain(b->slots()[i]);
      }
      copy->slots()[pos] = nc;
      return branchSlot(copy);
    }
    default: {
      const Collision* c = asCollision(s);
      int at = -1;
      for (uint32_t i = 0; i < c->count; ++i)
        if (leafMatches(asLeaf(c->slots()[i]), lower, len)) at = int(i);
      if (at < 0) return s;
      *found = true;
      if (c->count == 2) {
        Slot other = c->slots()[1 - at];
        retain(other);
        return other;
      }
      Collision* copy = allocCollision(c->count - 1);
      for (uint32_t i = 0, j = 0; i < c->count; ++i) {
        if (int(i) == at) continue;
        copy->slots()[j++] = c->slots()[i];
        retain(c->slots()[i]);
      }
      return collisionSlot(copy);
    }
  }
}

Slot buildRange(const HashedNode* b, const HashedNode* e, unsigned level) {
  size_t n = size_t(e - b);
  if (n == 0) return 0;
  if (n == 1) return leafSlot(b->node);
  if (level >= kMaxLevel) {
    Collision* c = allocCollision(uint32_t(n));
    for (size_t i = 0; i < n; ++i) c->slots()[i] = leafSlot(b[i].node);
    return collisionSlot(c);
  }
  uint32_t bitmap = 0;
  for (const HashedNode* p = b; p != e; ++p) bitmap |= uint32_t(1) << indexAt(p->hash, level);
  Branch* br = allocBranch(bitmap);
  int k = 0;
  for (const HashedNode* p = b; p != e;) {
    unsigned idx = indexAt(p->hash, level);
    const HashedNode* q = p + 1;
    while (q != e && indexAt(q->hash, level) == idx) ++q;
    br->slots()[k++] = buildRange(p, q, level + 1);
    p = q;
  }
  return branchSlot(br);
}

}  // namespace

void retain(Slot s) {
  if (s == 0) return;
  switch (tag(s)) {
    case kTagLeaf:
      asLeaf(s)->retain();
      return;
    case kTagBranch:
      mutBranch(s)->refs.fetch_add(1, std::memory_order_relaxed);
      return;
    default:
      mutCollision(s)->refs.fetch_add(1, std::memory_order_relaxed);
      return;
  }
}

void release(Slot s) {
  if (s == 0) return;
  switch (tag(s)) {
    case kTagLeaf:
      asLeaf(s)->release();
      return;
    case kTagBranch: {
      Branch* b = mutBranch(s);
      if (b->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      int n = std::popcount(b->bitmap);
      for (int i = 0; i < n; ++i) release(b->slots()[i]);
      b->~Branch();
      std::free(b);
      return;
    }
    default: {
      Collision* c = mutCollision(s);
      if (c->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      for (uint32_t i = 0; i < c->count; ++i) release(c->slots()[i]);
      c->~Collision();
      std::free(c);
      return;
    }
  }
}

uint64_t defaultHasher(const Node& n) { return n.hash(); }

Slot insert(Slot root, uint64_t hash, Node* leaf, Hasher hasher) {
  return insertAt(root, hash, leaf, 0, hasher);
}

Slot remove(Slot root, uint64_t hash, const uint8_t* lower, size_t len, bool* found) {
  return removeAt(root, hash, lower, len, 0, found);
}

Slot build(std::span<const HashedNode> sorted) {
  return buildRange(sorted.data(), sorted.data() + sorted.size(), 0);
}

size_t structureBytes(Slot s) {
  if (s == 0) return 0;
  switch (tag(s)) {
    case kTagLeaf:
      return 0;
    case kTagBranch: {
      const Branch* b = asBranch(s);
      int n = std::popcount(b->bitmap);
      size_t total = sizeof(Branch) + size_t(n) * sizeof(Slot);
      for (int i = 0; i < n; ++i) total += structureBytes(b->slots()[i]);
      return total;
    }
    default: {
      const Collision* c = asCollision(s);
      return sizeof(Collision) + c->count * sizeof(Slot);
    }
  }
}

}  // namespace zk::zone::hamt
