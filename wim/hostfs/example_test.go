package hostfs_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs"
)

// Capture a directory, write it as an XPRESS-compressed WIM, read it back
// and apply it to another directory.
func Example() {
	tmp, err := os.MkdirTemp("", "hostfs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "src")
	os.MkdirAll(filepath.Join(src, "Windows", "System32"), 0o755)
	os.WriteFile(filepath.Join(src, "Windows", "System32", "winpeshl.ini"), []byte("[LaunchApps]\r\n"), 0o644)

	img, _, err := hostfs.Capture(src, nil)
	if err != nil {
		log.Fatal(err)
	}
	img.Info.Name = "example"
	out := filepath.Join(tmp, "example.wim")
	if err := wim.WriteFile(out, []wim.ImageSource{{Image: img}}, wim.WriteOptions{Compression: wim.XPRESS}); err != nil {
		log.Fatal(err)
	}

	w, err := wim.OpenFile(out)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	back, err := w.Image(1)
	if err != nil {
		log.Fatal(err)
	}
	sum, err := hostfs.Apply(back, w, filepath.Join(tmp, "applied"), nil)
	if err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(tmp, "applied", "Windows", "System32", "winpeshl.ini"))
	fmt.Printf("%d dirs, %d files, %q\n", sum.Dirs, sum.Files, data)
	// Output: 3 dirs, 1 files, "[LaunchApps]\r\n"
}

// Parse a wimscript.ini and ask it about paths below the capture root.
func ExampleParseConfig() {
	cfg, err := hostfs.ParseConfig([]byte("[ExclusionList]\n\\pagefile.sys\n*.tmp\n[CompressionExclusionList]\n*.cab\n"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Excluded("pagefile.sys"), cfg.Excluded("Windows/x.tmp"), cfg.Excluded("Windows/x.dll"), cfg.NoCompress("sources/a.cab"))
	// Output: true true false true
}
