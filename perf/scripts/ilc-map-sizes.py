#!/usr/bin/env python3
"""Bytes per assembly in a Native AOT binary, from ILC's map (-p:IlcGenerateMapFile=true: obj/.../native/appliance.map.xml).

Each <ObjectNode Name=... Length=...> is attributed to the assembly whose mangled name (dots as '_', System.Private.X
as S_P_X) starts the node's name, after ILC's decorations (unbox_, _ZTV<n>, __GCStaticBase_, ...) are taken off; the
longest matching assembly wins. Generic instantiations count for the assembly that defines the generic (List<Foo> is
CoreLib's). Nodes that name no assembly (frozen data, hash tables, metadata blobs) are "(runtime tables)".
  perf/scripts/ilc-map-sizes.py MAP.xml RSP [TOP]      RSP: appliance.ilc.rsp beside the map (its -r: and input lines)
Prints one line per assembly group, largest first: MiB, share, and the method-code bytes.
"""
import re, sys, os, collections

def assemblies(rsp):
    names = set()
    for line in open(rsp):
        line = line.strip()
        if line.startswith('-r:'): line = line[3:]
        elif line.startswith('-') or not line.endswith('.dll'): continue
        names.add(os.path.splitext(os.path.basename(line))[0])
    return names

def mangle(name):
    if name.startswith('System.Private.'): name = 'S_P_' + name[len('System.Private.'):]
    return re.sub(r'[^A-Za-z0-9_]', '_', name) + '_'

GROUPS = [('UnitsNet', 'UnitsNet'), ('Npgsql', 'Npgsql'), ('Microsoft_AspNetCore', 'ASP.NET Core'),
          ('OpenTelemetry', 'OpenTelemetry'), ('Appliance', 'Appliance (ours)'), ('Iot_Device', 'Iot.Device.Bindings'),
          ('System_Device', 'System.Device.Gpio'), ('Microsoft_ML_OnnxRuntime', 'ONNX Runtime (managed)'),
          ('S_P_', 'System.Private.* (CoreLib, ...)'), ('System_', 'System.* (BCL)'), ('Microsoft_Extensions', 'Microsoft.Extensions.*')]

def main():
    mapfile, rsp = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    prefixes = sorted((mangle(a), a) for a in assemblies(rsp))
    prefixes.sort(key=lambda p: -len(p[0]))
    node = re.compile(r'<(\w+) Name="([^"]*)" Length="(\d+)"')
    strip = re.compile(r'^(?:unbox_|_ZTV\d+|_ZTS\d+|__GCStaticBase_|__NonGCStaticBase_|__GCStaticEEType_|__ThreadStaticBase_|'
                       r'__FieldRvaData_|__RuntimeMethodHandle_|__GenericDict_|__fatpointer_|__Str_|__CCtorContext_|'
                       r'__optionalfields_|__GCInfo_|__EHInfo_|__DehydratedData_|__readonlydata_|__SealedVTable_|'
                       r'__InterfaceDispatchMap_|__TypeThreadStaticIndex_|__RuntimeFieldHandle_|__[A-Za-z]+_)+')
    by_asm = collections.Counter(); code = collections.Counter(); total = 0
    for m in node.finditer(open(mapfile, encoding='utf-8').read()):
        kind, name, length = m.group(1), m.group(2), int(m.group(3))
        total += length
        bare = strip.sub('', name)
        owner = next((a for p, a in prefixes if bare.startswith(p)), '(runtime tables)')
        by_asm[owner] += length
        if kind == 'MethodCode': code[owner] += length
    groups = collections.Counter(); gcode = collections.Counter()
    for a, n in by_asm.items():
        key = mangle(a)
        g = next((label for p, label in GROUPS if key.startswith(p)), a)
        groups[g] += n; gcode[g] += code[a]
    mib = 1024 * 1024
    print(f'total {total / mib:.2f} MiB in {sum(1 for _ in by_asm)} assemblies (method code {sum(code.values()) / mib:.2f} MiB)')
    for g, n in groups.most_common(top):
        print(f'{n / mib:8.2f} MiB {100 * n / total:5.1f} %  code {gcode[g] / mib:6.2f} MiB  {g}')
    if len(sys.argv) > 4:
        print('--- assemblies')
        for a, n in by_asm.most_common(top):
            print(f'{n / mib:8.2f} MiB  code {code[a] / mib:6.2f} MiB  {a}')

main()
