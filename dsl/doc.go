// Package dsl implements the wimbuild recipe language: HCL2 recipes
// (hashicorp/hcl/v2 native syntax, *.wb.hcl, and its JSON syntax, *.wb.json)
// evaluated with go-cty into a typed, checked Recipe that the builder plans
// from. The language reference is docs/recipe.md.
//
// # Data flow
//
//	*.wb.hcl / *.wb.json ──parse──▶ top-level blocks
//	  wimbuild { required_version }      checked first (one clear error)
//	  variable blocks ◀── defaults < *.auto.wbvars.hcl < --var-file
//	                      < WIMBUILD_VAR_x < --var      (later wins)
//	  validation blocks, wimbuild { source_date_epoch, allow_paths }
//	  locals (dependency order, cycles reported)
//	  source / image / pxe / media / output  ──decode──▶ model types
//	  cross-block checks (references, cycles, arch, packages, …)
//	  Deps (edges) + Digest (sha256 of CanonicalJSON)
//	                                  ──▶ *Recipe, hcl.Diagnostics
//
// # The model (what the builder consumes)
//
//	Recipe
//	 ├─ Settings      required_version, SourceDateEpoch, AllowPaths
//	 ├─ Variables     final values for display (sensitive ones masked)
//	 ├─ Sources       []*Source  wim (Path, SHA256, Index|ImageName, Arch) | sample (Arch)
//	 ├─ Images        []*Image   From Ref, Arch, Metadata, Steps (source order):
//	 │                  *PackageStep *LanguageStep *FilesStep *FileStep *DeleteStep
//	 │                  *RegistryStep *ScratchSpaceStep *UILanguageStep
//	 │                and at most one of Winpeshl / Capture / Discover
//	 ├─ PXE           []*PXE     Layout, Images []Ref, BCD
//	 ├─ Media         []*Media   Image Ref, Format, Label, Firmware, BCD
//	 ├─ Output        Dir, Compression
//	 ├─ Deps          []Edge{From, To}: image→from, pxe→images, media→image
//	 └─ Digest        hex sha256 over CanonicalJSON (no ranges, root-relative paths)
//
// Helpers: Recipe.Image(name), Recipe.Source(ref), Recipe.Base(img) (the
// source and the image chain from it), Recipe.ImageOrder() (parents before
// children), CanonicalJSON (what Digest hashes; per-block json.Marshal gives
// the same canonical encoding for cache keys: no ranges, no absolute paths,
// steps tagged with "kind"). Format is what `wimbuild fmt` writes.
//
// Every value written in a recipe keeps its hcl.Range (String, Int, Bool,
// Path carry Value+Range; blocks carry DeclRange), so later stages can point
// their own errors at the line that asked for the work. Slices keep
// declaration order. Host paths (Path) are absolute and were checked to stay
// inside the recipe directory or an allow_paths directory, lexically and
// after following existing symbolic links. Image paths are normalized to
// "/Windows/System32/x" form; registry keys use "\" separators relative to
// the hive.
//
// # Diagnostics
//
// Load never returns bare errors: every problem is an hcl.Diagnostic with
// Subject set to the tightest range (the offending expression, label or
// list element), a short Summary and a Detail that says how to fix it. Load
// keeps going after an error, so one run reports every independent mistake;
// values that depend on an earlier error are skipped silently instead of
// producing follow-on noise. The rules checked here are those that need only
// the recipe: rules that need image contents (setup.exe present, WinPE
// version, package build numbers, Windows 11 WDS-mode block) are the
// builder's.
//
// Sensitive variables (sensitive = true) enter evaluation as marked cty
// values, so every value computed from them is known to be sensitive: the
// model flags it (String, Int, Bool, Path .Sensitive), diagnostics show
// "(sensitive value)" instead (their strings are also masked in every
// diagnostic text before Load returns), and Redact makes the copy that
// `wimbuild inspect` prints. The model itself keeps the real values: builds,
// Digest and cache keys use them.
//
// # Not supported
//
// Modules, user-defined functions, dynamic blocks, count/for_each, and
// functions that depend on time or randomness (timestamp, uuid): a recipe
// evaluates to the same model on every machine. Remote sources (URLs) are
// not fetched; base images are local files pinned by sha256.
//
// Limits: recipe and variable files are at most 4 MiB, file() reads at most
// 16 MiB, format widths and indent counts are at most 4096, range() yields
// at most 1024 values. Nested for expressions can still build large values:
// evaluation is bounded by the recipe's own size and loops, like any
// configuration language, not by a time budget.
package dsl
