package wim

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// Random sequences of the writer's output operations (writes, copies,
// patches of written bytes, rewinds) give the same file whether recorded and
// emitted (plan mode, with a digest and writeback), written directly to a
// file (kernel copies), or written to memory — and the digest matches.
func TestOutBufPlanEqualsDirect(t *testing.T) {
	src := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range src {
		src[i] = byte(rng.Uint32())
	}
	dir := t.TempDir()
	sp := filepath.Join(dir, "src")
	if err := os.WriteFile(sp, src, 0o644); err != nil {
		t.Fatal(err)
	}
	sf, err := os.Open(sp)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	for seed := range uint64(40) {
		type op struct {
			kind     int
			data     []byte
			off, n   int64
			patchOff int64
		}
		r := rand.New(rand.NewPCG(seed, 99))
		var ops []op
		var lits [][2]int64 // written literal ranges [start, end)
		pos, litEnd := int64(0), int64(-1)
		for range 40 + r.IntN(80) {
			switch k := r.IntN(10); {
			case k < 4:
				d := make([]byte, 1+r.IntN(3000))
				for i := range d {
					d[i] = byte(r.Uint32())
				}
				ops = append(ops, op{kind: 0, data: d})
				lits = append(lits, [2]int64{pos, pos + int64(len(d))})
				pos += int64(len(d))
				litEnd = pos
			case k < 7:
				n := int64(1 + r.IntN(600<<10))
				off := r.Int64N(int64(len(src)) - n)
				if r.IntN(3) == 0 && len(ops) > 0 && ops[len(ops)-1].kind == 1 {
					p := ops[len(ops)-1] // contiguous with the previous copy
					off = min(p.off+p.n, int64(len(src))-n)
				}
				ops = append(ops, op{kind: 1, off: off, n: n})
				pos += n
			case k < 9 && len(lits) > 0:
				l := lits[r.IntN(len(lits))]
				a := l[0] + r.Int64N(l[1]-l[0])
				b := min(l[1], a+1+r.Int64N(64))
				d := make([]byte, b-a)
				for i := range d {
					d[i] = byte(r.Uint32())
				}
				ops = append(ops, op{kind: 2, data: d, patchOff: a})
			default:
				if litEnd == pos && len(lits) > 0 { // rewind inside the last write
					l := lits[len(lits)-1]
					to := l[0] + r.Int64N(l[1]-l[0])
					ops = append(ops, op{kind: 3, off: to})
					lits[len(lits)-1][1] = to
					if to == l[0] {
						lits = lits[:len(lits)-1]
					}
					pos, litEnd = to, -1
				}
			}
		}
		run := func(o *outBuf) {
			for _, p := range ops {
				switch p.kind {
				case 0:
					o.write(p.data)
				case 1:
					o.copyFrom(sf, p.off, p.n)
				case 2:
					o.patch(p.patchOff, p.data)
				case 3:
					o.seek(p.off)
				}
			}
		}
		var mem memFile
		m := &outBuf{out: &mem}
		run(m)
		if err := m.flush(); err != nil {
			t.Fatalf("seed %d: memory: %v", seed, err)
		}
		want := mem.b[:m.pos]

		f, err := os.Create(filepath.Join(dir, "direct"))
		if err != nil {
			t.Fatal(err)
		}
		d := &outBuf{out: f}
		run(d)
		if err := d.flush(); err != nil {
			t.Fatalf("seed %d: direct: %v", seed, err)
		}
		f.Close()
		got, _ := os.ReadFile(filepath.Join(dir, "direct"))
		if !bytes.Equal(got[:d.pos], want) {
			t.Fatalf("seed %d: direct file differs from memory", seed)
		}

		f, err = os.Create(filepath.Join(dir, "plan"))
		if err != nil {
			t.Fatal(err)
		}
		pl := &outBuf{out: f, plan: true, ahead: true}
		run(pl)
		h := sha256.New()
		if err := pl.emit(h, true); err != nil {
			t.Fatalf("seed %d: plan: %v", seed, err)
		}
		f.Close()
		got, _ = os.ReadFile(filepath.Join(dir, "plan"))
		if pl.pos != int64(len(want)) || !bytes.Equal(got[:pl.pos], want) {
			t.Fatalf("seed %d: planned file (%d bytes) differs from memory (%d bytes)", seed, pl.pos, len(want))
		}
		if sum := sha256.Sum256(want); !bytes.Equal(h.Sum(nil), sum[:]) {
			t.Fatalf("seed %d: digest differs", seed)
		}
	}
}
