package xpress

// optState is the near-optimal parser's working memory.
type optState struct{}

func (o *optState) init(maxChunk int) {}

func (c *Compressor) parseOptimal(src []byte) int { return c.parseLazy(src) }
