using Google.Protobuf;

namespace Appliance.Contracts.Inference;

/// <summary>
/// Writes the few ONNX protobuf messages a small graph needs, with Google.Protobuf's encoder. Field numbers are those of
/// <c>onnx/onnx.proto</c> (ONNX IR version 8): ModelProto {ir_version=1, producer_name=2, graph=7, opset_import=8},
/// GraphProto {node=1, name=2, initializer=5, input=11, output=12}, NodeProto {input=1, output=2, name=3, op_type=4},
/// TensorProto {dims=1, data_type=2, float_data=4, name=8}, ValueInfoProto {name=1, type=2},
/// TypeProto {tensor_type=1}, TypeProto.Tensor {elem_type=1, shape=2}, TensorShapeProto {dim=1},
/// Dimension {dim_value=1, dim_param=2}, OperatorSetIdProto {domain=1, version=2}, NodeProto.attribute=5,
/// AttributeProto {name=1, i=3, type=20}, TensorProto.double_data=10.
/// </summary>
internal static class OnnxGraphWriter
{
    /// <summary>TensorProto.DataType.FLOAT.</summary>
    public const int Float = 1;

    /// <summary>A ModelProto; <paramref name="metadata"/> becomes ModelProto.metadata_props (field 14, StringStringEntryProto {key=1, value=2}).</summary>
    public static byte[] Model(string producer, long opset, byte[] graph, IReadOnlyDictionary<string, string>? metadata = null) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.Varint);
        o.WriteInt64(8); // ir_version 8 (ONNX 1.10+)
        o.WriteTag(2, WireFormat.WireType.LengthDelimited);
        o.WriteString(producer);
        o.WriteTag(7, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(graph));
        o.WriteTag(8, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Message(p =>
        {
            p.WriteTag(1, WireFormat.WireType.LengthDelimited);
            p.WriteString(string.Empty);
            p.WriteTag(2, WireFormat.WireType.Varint);
            p.WriteInt64(opset);
        })));
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            Field(o, 14, Message(e =>
            {
                e.WriteTag(1, WireFormat.WireType.LengthDelimited);
                e.WriteString(key);
                e.WriteTag(2, WireFormat.WireType.LengthDelimited);
                e.WriteString(value);
            }));
        }
    });

    public static byte[] Graph(string name, IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers, IEnumerable<byte[]> inputs, IEnumerable<byte[]> outputs) => Message(o =>
    {
        foreach (var n in nodes)
        {
            Field(o, 1, n);
        }

        o.WriteTag(2, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        foreach (var t in initializers)
        {
            Field(o, 5, t);
        }

        foreach (var i in inputs)
        {
            Field(o, 11, i);
        }

        foreach (var i in outputs)
        {
            Field(o, 12, i);
        }
    });

    public static byte[] Node(string opType, string name, string[] inputs, string output) =>
        Message(o => NodeFields(o, opType, name, inputs, output));

    // NodeProto (onnx.proto3): input = 1, output = 2, name = 3, op_type = 4.
    private static void NodeFields(CodedOutputStream o, string opType, string name, string[] inputs, string output)
    {
        foreach (var i in inputs)
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(i);
        }

        o.WriteTag(2, WireFormat.WireType.LengthDelimited);
        o.WriteString(output);
        o.WriteTag(3, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited);
        o.WriteString(opType);
    }

    /// <summary>TensorProto.DataType.DOUBLE.</summary>
    public const int Double = 11;

    /// <summary>A node with one integer attribute (NodeProto.attribute = 5; AttributeProto {name=1, i=3, type=20}, type INT = 2).</summary>
    public static byte[] Node(string opType, string name, string[] inputs, string output, string attribute, long value) => Message(o =>
    {
        NodeFields(o, opType, name, inputs, output);
        Field(o, 5, Message(a =>
        {
            a.WriteTag(1, WireFormat.WireType.LengthDelimited);
            a.WriteString(attribute);
            a.WriteTag(3, WireFormat.WireType.Varint);
            a.WriteInt64(value);
            a.WriteTag(20, WireFormat.WireType.Varint);
            a.WriteInt32(2);
        }));
    });

    /// <summary>A double tensor initializer (TensorProto.double_data = 10, packed).</summary>
    public static byte[] DoubleTensor(string name, long[] dims, ReadOnlySpan<double> values)
    {
        var copy = values.ToArray();
        return Tensor(name, dims, Double, 10, copy.Length * sizeof(double), o =>
        {
            foreach (var v in copy)
            {
                o.WriteDouble(v);
            }
        });
    }

    /// <summary>A float tensor initializer (TensorProto.float_data = 4, packed).</summary>
    public static byte[] FloatTensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var copy = values.ToArray();
        return Tensor(name, dims, Float, 4, copy.Length * sizeof(float), o =>
        {
            foreach (var v in copy)
            {
                o.WriteFloat(v);
            }
        });
    }

    // TensorProto (onnx.proto3): dims = 1, data_type = 2, the packed data field, name = 8.
    private static byte[] Tensor(string name, long[] dims, int dataType, int dataField, int dataBytes, Action<CodedOutputStream> writeData) => Message(o =>
    {
        foreach (var d in dims)
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(d);
        }

        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32(dataType);
        o.WriteTag(dataField, WireFormat.WireType.LengthDelimited);
        o.WriteLength(dataBytes);
        writeData(o);
        o.WriteTag(8, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
    });

    /// <summary>A float tensor value info; a dimension given as null is symbolic (<c>dim_param</c>).</summary>
    public static byte[] FloatValueInfo(string name, (long? Value, string? Param)[] dims) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        var shape = Message(s =>
        {
            foreach (var (value, param) in dims)
            {
                Field(s, 1, Message(d =>
                {
                    if (value is { } v)
                    {
                        d.WriteTag(1, WireFormat.WireType.Varint);
                        d.WriteInt64(v);
                    }
                    else
                    {
                        d.WriteTag(2, WireFormat.WireType.LengthDelimited);
                        d.WriteString(param ?? "N");
                    }
                }));
            }
        });
        var tensor = Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt32(Float);
            Field(t, 2, shape);
        });
        Field(o, 2, Message(t => Field(t, 1, tensor)));
    });

    private static void Field(CodedOutputStream o, int number, byte[] message)
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(message));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var ms = new MemoryStream();
        using (var o = new CodedOutputStream(ms, leaveOpen: true))
        {
            write(o);
        }

        return ms.ToArray();
    }
}
