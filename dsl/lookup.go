package dsl

// Image returns the image named name, or nil.
func (r *Recipe) Image(name string) *Image {
	for _, img := range r.Images {
		if img.Name == name {
			return img
		}
	}
	return nil
}

// Source returns the source a reference names, or nil.
func (r *Recipe) Source(ref Ref) *Source {
	if ref.Kind != RefSource {
		return nil
	}
	for _, s := range r.Sources {
		if s.Type == ref.Type && s.Name == ref.Name {
			return s
		}
	}
	return nil
}

// Base returns the source at the root of img's from chain and the chain of
// images from that source down to img (img last). Load guarantees that the
// chain is finite and ends at a declared source.
func (r *Recipe) Base(img *Image) (*Source, []*Image) {
	chain := []*Image{img}
	cur := img
	for i := 0; i <= len(r.Images) && cur.From.Kind == RefImage; i++ {
		p := r.Image(cur.From.Name)
		if p == nil {
			return nil, chain
		}
		chain = append([]*Image{p}, chain...)
		cur = p
	}
	return r.Source(cur.From), chain
}

// ImageOrder returns the images so that every image comes after the image
// it is built from (declaration order otherwise).
func (r *Recipe) ImageOrder() []*Image {
	done := map[*Image]bool{}
	var out []*Image
	var visit func(img *Image, depth int)
	visit = func(img *Image, depth int) {
		if done[img] || depth > len(r.Images) {
			return
		}
		if img.From.Kind == RefImage {
			if p := r.Image(img.From.Name); p != nil {
				visit(p, depth+1)
			}
		}
		if !done[img] {
			done[img] = true
			out = append(out, img)
		}
	}
	for _, img := range r.Images {
		visit(img, 0)
	}
	return out
}
