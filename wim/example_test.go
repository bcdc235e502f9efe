package wim_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wimbuild/wimbuild/wim"
)

// Open a WIM, list an image, add a file and export it with LZX (blobs
// already LZX-compressed in the source would be copied raw).
func Example() {
	src, err := wim.OpenFile("../../shared/fixtures/wim/basic-none.wim")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	img, err := src.Image(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(img.Info.Name, img.Stats().FileCount, "files")

	added := wim.NewBlobSet()
	h := added.AddBytes([]byte("[LaunchApps]\r\nX:\\tools\\shell.exe\r\n"))
	if _, err := img.AddFile(`Windows\System32\winpeshl.ini`, &wim.Inode{}); err == nil {
		fmt.Println("unexpected: file already there")
	}
	img.Remove(`Windows\System32\winpeshl.ini`)
	img.AddFile(`Windows\System32\winpeshl.ini`, &wim.Inode{
		Attributes: wim.AttrArchive, SecurityID: wim.SecurityInherit,
		Data: wim.Stream{Hash: h, Size: 34},
	})

	dir, err := os.MkdirTemp("", "wim-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "boot.wim")
	err = wim.WriteFile(out, []wim.ImageSource{{Image: img, Blobs: wim.MergeSources(added, src)}},
		wim.WriteOptions{Compression: wim.LZX, BootIndex: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := wim.OpenFile(out)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	fmt.Println(w.ImageCount(), "image,", w.Compression(), "boot", w.BootIndex(), "verify:", w.Verify(wim.VerifyOptions{}))
	// Output:
	// fixture 9 files
	// 1 image, lzx boot 1 verify: <nil>
}
