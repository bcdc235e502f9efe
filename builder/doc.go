// Package builder turns an evaluated recipe into a DAG of cached steps and
// runs it.
//
//	dsl.Recipe ──Plan──► Graph of *Step (each with a cache key)
//	           ──Run───► for each step in dependency order, in parallel:
//	                       key hit in cache?  reuse its outputs
//	                       otherwise          execute, store outputs + action
//
// A step's key is a Merkle digest (cache.KeyBuilder) over its kind and
// implementation version, its normalized parameters, the keys of its inputs
// and the content digests of host files — never paths, times or labels — so a
// no-op rebuild is one cache lookup per step.
//
// Steps with the same key run once per build even if the plan names them
// twice. A failing step cancels the build; its error carries the recipe
// location (file:line:col) of the block that asked for it.
package builder
