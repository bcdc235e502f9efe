package lzms

import (
	"os"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// TestFixtureWIMs decodes the LZMS chunks of the wimlib-imagex 1.13.5
// fixtures (shared/fixtures/wim, see its README) and checks them against
// the blob-table SHA-1s and the source tree.
func TestFixtureWIMs(t *testing.T) {
	src := testutil.Fixture(t, "wim", "src")
	for _, name := range []string{"basic-lzms.wim", "basic-solid.wim"} {
		t.Run(name, func(t *testing.T) {
			blobs, st := decodeWIM(t, testutil.Fixture(t, "wim", name))
			files := checkTree(t, src, blobs)
			if st.chunks == 0 || files < 5 {
				t.Fatalf("decoded %d chunks, matched %d files", st.chunks, files)
			}
			if name == "basic-solid.wim" && st.solidChunks == 0 {
				t.Fatal("no solid chunk decoded")
			}
			t.Logf("%d LZMS chunks (%d solid), %d blobs, %d files", st.chunks, st.solidChunks, st.blobs, files)
		})
	}
}

// TestDecodeWIMFile decodes every LZMS chunk of the WIM named by LZMS_WIM
// and checks every blob's SHA-1 (for checking large real images by hand).
func TestDecodeWIMFile(t *testing.T) {
	p := os.Getenv("LZMS_WIM")
	if p == "" {
		t.Skip("set LZMS_WIM to a WIM file written with LZMS compression")
	}
	_, st := decodeWIM(t, p)
	t.Logf("%d LZMS chunks (%d solid), %d blobs", st.chunks, st.solidChunks, st.blobs)
}
