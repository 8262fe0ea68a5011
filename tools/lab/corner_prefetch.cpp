#include "corner_prefetch.h"

#include <string>
#include <utility>
#include <vector>

namespace crgb::lab {
namespace {

using namespace Halide::Internal;
using Halide::Expr;
using Lets = std::vector<std::pair<std::string, Expr>>;

// Substitutes the let bindings in scope (innermost first) into e.
Expr close_over(Expr e, const Lets &lets) {
  for (auto it = lets.rbegin(); it != lets.rend(); ++it) e = substitute(it->first, it->second, e);
  return substitute_in_all_lets(e);
}

// The addresses (element offsets) of the vector loads of `image` in a loop
// body, with the body's own lets substituted.
class ImageLoads : public IRVisitor {
 public:
  std::vector<Expr> offsets;
  Halide::Type type;

 private:
  using IRVisitor::visit;
  Lets lets_;
  void visit(const LetStmt *op) override {
    op->value.accept(this);
    lets_.emplace_back(op->name, op->value);
    op->body.accept(this);
    lets_.pop_back();
  }
  void visit(const Load *op) override {
    if (op->name == "image") {
      Expr offset = op->index;
      if (const Ramp *r = offset.as<Ramp>()) offset = r->base;
      offsets.push_back(close_over(offset, lets_));
      type = op->type.element_of();
    }
    IRVisitor::visit(op);
  }
};

class CornerPrefetch : public IRMutator {
  using IRMutator::visit;
  struct ColumnLoop {
    std::string name;
    Expr min, extent;
  };
  std::vector<ColumnLoop> columns_;
  Lets lets_;  // between the innermost column loop and here

  Stmt visit(const LetStmt *op) override {
    if (columns_.empty()) return IRMutator::visit(op);
    lets_.emplace_back(op->name, op->value);
    Stmt s = IRMutator::visit(op);
    lets_.pop_back();
    return s;
  }

  Stmt visit(const For *op) override {
    // The crop-column loop is the reduction's samples.y (RDom "samples").
    if (ends_with(op->name, ".samples$y")) {
      columns_.push_back({op->name, op->min, op->extent});
      Lets outer;
      std::swap(outer, lets_);
      Stmt s = IRMutator::visit(op);
      std::swap(outer, lets_);
      columns_.pop_back();
      return s;
    }
    if (columns_.empty() || !ends_with(op->name, ".chunk")) return IRMutator::visit(op);
    ImageLoads loads;
    op->body.accept(&loads);
    const ColumnLoop &column = columns_.back();
    Expr x = Variable::make(Halide::Int(32), column.name);
    Expr next = Halide::min(x + 1, column.min + column.extent - 1);
    std::vector<Expr> done;
    Stmt prefetches;
    for (const Expr &offset : loads.offsets) {
      Expr here = close_over(offset, lets_);
      bool seen = false;
      for (const Expr &d : done) seen = seen || equal(d, here);
      if (seen) continue;
      done.push_back(here);
      Expr there = simplify(substitute(column.name, next, here));
      int per_line = 64 / loads.type.bytes();
      Stmt p = Evaluate::make(Call::make(
          loads.type, Call::prefetch,
          {Variable::make(Halide::Handle(), "image"), there, 1, per_line}, Call::Intrinsic));
      prefetches = prefetches.defined() ? Block::make(prefetches, p) : p;
    }
    Stmt body = mutate(op->body);
    if (prefetches.defined()) body = Block::make(prefetches, body);
    return For::make(op->name, op->min, op->extent, op->for_type, op->partition_policy,
                     op->device_api, body);
  }
};

}  // namespace

Halide::Internal::IRMutator *make_corner_prefetch_pass() {
  return new CornerPrefetch();
}

}  // namespace crgb::lab
