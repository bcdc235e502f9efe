package bcd_test

import (
	"fmt"
	"os"

	"github.com/wimbuild/wimbuild/bcd"
)

// The bcdedit recipe for a network boot store, offline.
func ExampleStore_Set() {
	s := bcd.NewStore(bcd.StoreOptions{})
	s.Seed = "example"
	if _, err := s.Create(bcd.CreateOptions{ID: bcd.IDRamdiskOptions, Description: "Ramdisk Options"}); err != nil {
		panic(err)
	}
	opts, _ := s.Resolve("{ramdiskoptions}")
	_ = s.Set(opts, "ramdisksdidevice", "boot")
	_ = s.Set(opts, "ramdisksdipath", `\boot\boot.sdi`)

	pe, _ := s.Create(bcd.CreateOptions{Type: bcd.TypeOSLoader, Description: "Windows PE"})
	for _, kv := range [][2]string{
		{"device", `ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}`},
		{"osdevice", `ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}`},
		{"path", `\windows\system32\boot\winload.exe`},
		{"systemroot", `\windows`},
		{"detecthal", "yes"},
		{"winpe", "yes"},
	} {
		if err := s.Set(pe, kv[0], kv[1]); err != nil {
			panic(err)
		}
	}
	_, _ = s.Create(bcd.CreateOptions{ID: bcd.IDBootMgr, Description: "Windows Boot Manager"})
	_ = s.DisplayOrder(bcd.IDBootMgr, bcd.ElemDisplayOrder, bcd.ListAddLast, pe)
	_ = s.SetDefault(pe)
	_ = s.SetTimeout(10)
	_ = s.Enum(os.Stdout, bcd.EnumOptions{})
	// Output:
	//
	// Windows Boot Manager
	// --------------------
	// identifier              {bootmgr}
	// description             Windows Boot Manager
	// default                 {default}
	// displayorder            {default}
	// timeout                 10
	//
	// Windows Boot Loader
	// -------------------
	// identifier              {default}
	// device                  ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}
	// path                    \windows\system32\boot\winload.exe
	// description             Windows PE
	// osdevice                ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}
	// systemroot              \windows
	// detecthal               Yes
	// winpe                   Yes
}

// A UEFI x64 menu only lists x64 images; FilterImages drops the others.
func ExamplePXEStore() {
	s, err := bcd.PXEStore(bcd.PXEOptions{
		Arch:     bcd.ArchX64,
		Firmware: bcd.UEFI,
		Images: []bcd.BootImage{
			{Name: "Windows PE (x64)", File: "boot.wim", Arch: bcd.ArchX64},
			{Name: "Windows PE (x86)", File: "boot.wim", Arch: bcd.ArchX86},
		},
		FilterImages: true,
		Seed:         "example",
	})
	if err != nil {
		panic(err)
	}
	def, _ := s.DefaultID()
	o, _ := s.Object(def)
	for _, e := range o.Elements {
		if e.Type == bcd.ElemOSDevice {
			d, _ := e.Device()
			fmt.Println(d)
		}
		if e.Type == bcd.ElemPath {
			p, _ := e.String()
			fmt.Println(p)
		}
	}
	// Output:
	// \windows\system32\boot\winload.efi
	// ramdisk=[boot]\Boot\x64\Images\boot.wim,{ramdiskoptions}
}

func ExampleDecodeDevice() {
	d, err := bcd.DecodeDevice(mustEncode(bcd.PartitionMBR(0x43da9ab1, 0x1f500000)))
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Kind, d)
	// Output: partition partition=mbr:0x43da9ab1:0x1f500000
}

func mustEncode(d *bcd.Device) []byte {
	b, err := d.Encode()
	if err != nil {
		panic(err)
	}
	return b
}
