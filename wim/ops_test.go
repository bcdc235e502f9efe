package wim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

func copyFixture(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name+".wim")
	if err := os.WriteFile(p, srcBytes(t, name), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOptimizeRemovesHole(t *testing.T) {
	p := copyFixture(t, "updated-lzx")
	before := len(srcBytes(t, "updated-lzx"))
	if err := Optimize(p, nil); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Size() >= int64(before) {
		t.Errorf("optimized size %d, before %d", st.Size(), before)
	}
	testutil.Run(t, "wimlib-imagex", "verify", p)
	want := wimlibDir(t, testutil.Fixture(t, "wim", "updated-lzx.wim"), "1")
	if got := wimlibDir(t, p, "1"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("listing changed:\n%v", got)
	}
	w, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.GUID() != openFixture(t, "updated-lzx").GUID() {
		t.Error("GUID not kept")
	}
}

func TestDeleteBootPropsAppend(t *testing.T) {
	p := copyFixture(t, "bootlike-lzx")
	if err := DeleteImage(p, 1); err != nil {
		t.Fatal(err)
	}
	if err := SetImageProperties(p, 1, Property{"NAME", "Setup"}, Property{"WINDOWS/VERSION/BUILD", "26100"}, Property{"DESCRIPTION", "x & <y>"}); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, "wimlib-imagex", "verify", p)
	info := testutil.Run(t, "wimlib-imagex", "info", p)
	for _, s := range []string{"Image Count:    1", "Boot Index:     1", "Name:                   Setup", "Build:                  26100", "x & <y>"} {
		if !strings.Contains(info, s) {
			t.Errorf("wimlib info lacks %q:\n%s", s, info)
		}
	}
	src := openFixture(t, "basic-xpress")
	is, err := src.ImageSource(1)
	if err != nil {
		t.Fatal(err)
	}
	is.Image.Info.Name = "Setup"
	if err := AppendImage(p, is, true); !errors.Is(err, ErrExists) {
		t.Fatalf("appending a second image named %q: %v", is.Image.Info.Name, err)
	}
	is.Image.Info.Name = "appended"
	if err := AppendImage(p, is, true); err != nil {
		t.Fatal(err)
	}
	if err := SetBootIndex(p, 2); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, "wimlib-imagex", "verify", p)
	info = testutil.Run(t, "wimlib-imagex", "info", p)
	for _, s := range []string{"Image Count:    2", "Boot Index:     2", "Name:                   appended"} {
		if !strings.Contains(info, s) {
			t.Errorf("wimlib info lacks %q:\n%s", s, info)
		}
	}
	w, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n, err := w.FindImage("appended"); err != nil || n != 2 {
		t.Errorf("FindImage = %d, %v", n, err)
	}
	if err := w.Verify(VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestExportAllFromSolid(t *testing.T) {
	src := openFixture(t, "basic-solid")
	imgs, err := src.ImageSources()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "exp.wim")
	if err := ExportImages(p, imgs, WriteOptions{Compression: LZX}, false); err != nil {
		t.Fatal(err)
	}
	imgs2, _ := openFixture(t, "bootlike-lzx").ImageSources(2)
	if err := ExportImages(p, imgs2, WriteOptions{Compression: LZX, BootIndex: 2}, true); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, "wimlib-imagex", "verify", p)
	got := wimlibDir(t, p, "2")
	want := wimlibDir(t, testutil.Fixture(t, "wim", "bootlike-lzx.wim"), "2")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("image 2 listing differs")
	}
}
