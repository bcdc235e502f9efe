package regf_test

import (
	"fmt"
	"os"

	"github.com/wimbuild/wimbuild/bcd/regf"
)

func Example() {
	h := regf.New(regf.WithRootName("NewStoreRoot"), regf.WithMinorVersion(3))
	k, err := h.CreateKey(`Description`)
	if err != nil {
		panic(err)
	}
	if err := k.SetString("KeyName", "BCD00000001"); err != nil {
		panic(err)
	}
	if err := k.SetDWORD("System", 1); err != nil {
		panic(err)
	}
	data, err := h.Marshal()
	if err != nil {
		panic(err)
	}
	if err := regf.Validate(data); err != nil {
		panic(err)
	}
	back, err := regf.Parse(data)
	if err != nil {
		panic(err)
	}
	if err := back.ExportReg(os.Stdout, "", `HKEY_LOCAL_MACHINE\BCD00000001`); err != nil {
		panic(err)
	}
	fmt.Println(len(data), "bytes")
	// Output:
	// Windows Registry Editor Version 5.00
	//
	// [HKEY_LOCAL_MACHINE\BCD00000001\]
	//
	// [HKEY_LOCAL_MACHINE\BCD00000001\Description]
	// "KeyName"=hex(1):42,00,43,00,44,00,30,00,30,00,30,00,30,00,30,00,30,00,30,00,31,00,00,00
	// "System"=dword:00000001
	//
	// 8192 bytes
}

func ExampleHive_Key() {
	h := regf.New()
	if _, err := h.CreateKey(`ControlSet001\Services\Tcpip\Parameters`); err != nil {
		panic(err)
	}
	k, err := h.Key(`controlset001\SERVICES\tcpip`) // case-insensitive
	if err != nil {
		panic(err)
	}
	fmt.Println(k.Path())
	_, err = h.Key(`ControlSet002`)
	fmt.Println(err)
	// Output:
	// \ControlSet001\Services\Tcpip
	// regf: not found: key "ControlSet002" (no subkey "ControlSet002" under "\\")
}
