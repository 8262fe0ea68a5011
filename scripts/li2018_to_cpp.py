#!/usr/bin/env python3
"""Turn Li2018's emitted schedule (`-e schedule`) into compilable C++.

Halide 21's Li2018 autoscheduler writes its schedule as C++-like text that does
not compile: Funcs and Vars are used undeclared and tail strategies are bare
names. This script declares them, so the result has the same shape as the
schedules Adams2019 and Mullapudi2016 emit:

    inline void apply_schedule_<name>(::Halide::Pipeline pipeline, ::Halide::Target target)

Funcs are looked up by name in the pipeline; Vars by name (Halide matches Vars
by name). Any directive it does not know is an error, never silently dropped.

Usage: li2018_to_cpp.py IN.schedule.h OUT.schedule.h
"""
import re
import sys

KNOWN = {"compute_root", "compute_at", "store_at", "compute_inline", "split", "fuse",
         "reorder", "reorder_storage", "parallel", "vectorize", "unroll", "bound",
         "store_in"}
TAILS = {"RoundUp", "GuardWithIf", "ShiftInwards", "PredicateLoads", "PredicateStores",
         "Auto", "RoundUpAndBlend", "ShiftInwardsAndBlend"}


def main(src, dst):
    text = open(src).read()
    guard = re.search(r"#ifndef (\w+)", text).group(1)
    name = re.search(r"inline void apply_schedule_(\w+)\(", text).group(1)
    body = text[text.index("using ::Halide::Var;") + len("using ::Halide::Var;"):]
    body = body[:body.rindex("}")]
    header = text[:text.index("#include")]

    funcs, vars_ = [], []
    out_lines = []
    for stmt in body.split(";"):
        stmt = "".join(stmt.split())
        if not stmt:
            continue
        m = re.match(r"^(\w+)((?:\.update\(\d+\))?)((?:\.\w+\([^)]*\))+)$", stmt)
        if not m:
            sys.exit(f"li2018_to_cpp: cannot parse: {stmt}")
        func, update, calls = m.group(1), m.group(2), m.group(3)
        if func not in funcs:
            funcs.append(func)
        parts = []
        for call in re.finditer(r"\.(\w+)\(([^)]*)\)", calls):
            method, args = call.group(1), [a.strip() for a in call.group(2).split(",") if a.strip()]
            if method not in KNOWN:
                sys.exit(f"li2018_to_cpp: unknown directive .{method}() in: {stmt}")
            cargs = []
            for a in args:
                if a in TAILS:
                    cargs.append("TailStrategy::" + a)
                elif re.fullmatch(r"-?\d+", a):
                    cargs.append(a)
                elif re.fullmatch(r"[A-Za-z_]\w*", a):
                    if a not in vars_ and a not in funcs:
                        vars_.append(a)
                    cargs.append(a)
                else:
                    sys.exit(f"li2018_to_cpp: unknown argument '{a}' in: {stmt}")
            parts.append(f"        .{method}({', '.join(cargs)})")
        out_lines.append(f"    {func}{update}\n" + "\n".join(parts) + ";")

    res = [header.rstrip() + "\n// (made compilable by scripts/li2018_to_cpp.py; directives unchanged)\n",
           "#include <map>\n#include <string>\n\n#include \"Halide.h\"\n\n",
           f"inline void apply_schedule_{name}(\n    ::Halide::Pipeline pipeline,\n"
           "    ::Halide::Target target\n) {\n",
           "    using ::Halide::Func;\n    using ::Halide::TailStrategy;\n    using ::Halide::Var;\n",
           "    std::map<std::string, ::Halide::Internal::Function> env;\n",
           "    for (const Func &f : pipeline.outputs()) {\n",
           "        auto calls = ::Halide::Internal::find_transitive_calls(f.function());\n",
           "        env.insert(calls.begin(), calls.end());\n    }\n"]
    for f in funcs:
        res.append(f"    Func {f}(env.at(\"{f}\"));\n")
    for v in vars_:
        res.append(f"    Var {v}(\"{v}\");\n")
    res.append("\n" + "\n".join(out_lines) + "\n    (void)target;\n}\n\n")
    res.append(f"#endif  // {guard}\n")
    with open(dst, "w") as f:
        f.write(f"#ifndef {guard}\n#define {guard}\n\n" + "".join(res).split(f"#define {guard}\n", 1)[1].lstrip("\n"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
