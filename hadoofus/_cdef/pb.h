/*
 * cffi cdef for the parts of <protobuf-c/protobuf-c.h> (1.4) that
 * hadoofus._pb reads: the message/field/enum descriptors the generated code
 * carries. Python walks them at import to build its codec, so the .proto
 * files compiled by protoc-c are the only schema. Partial structs: only the
 * members read here are named; the compiler lays them out.
 */

typedef int protobuf_c_boolean;

typedef enum {
	PROTOBUF_C_LABEL_REQUIRED,
	PROTOBUF_C_LABEL_OPTIONAL,
	PROTOBUF_C_LABEL_REPEATED,
	PROTOBUF_C_LABEL_NONE,
} ProtobufCLabel;

typedef enum {
	PROTOBUF_C_TYPE_INT32,
	PROTOBUF_C_TYPE_SINT32,
	PROTOBUF_C_TYPE_SFIXED32,
	PROTOBUF_C_TYPE_INT64,
	PROTOBUF_C_TYPE_SINT64,
	PROTOBUF_C_TYPE_SFIXED64,
	PROTOBUF_C_TYPE_UINT32,
	PROTOBUF_C_TYPE_FIXED32,
	PROTOBUF_C_TYPE_UINT64,
	PROTOBUF_C_TYPE_FIXED64,
	PROTOBUF_C_TYPE_FLOAT,
	PROTOBUF_C_TYPE_DOUBLE,
	PROTOBUF_C_TYPE_BOOL,
	PROTOBUF_C_TYPE_ENUM,
	PROTOBUF_C_TYPE_STRING,
	PROTOBUF_C_TYPE_BYTES,
	PROTOBUF_C_TYPE_MESSAGE,
} ProtobufCType;

typedef enum {
	PROTOBUF_C_FIELD_FLAG_PACKED = 1,
	PROTOBUF_C_FIELD_FLAG_DEPRECATED = 2,
	PROTOBUF_C_FIELD_FLAG_ONEOF = 4,
} ProtobufCFieldFlag;

#define PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC ...
#define PROTOBUF_C__ENUM_DESCRIPTOR_MAGIC ...

typedef struct {
	size_t len;
	uint8_t *data;
} ProtobufCBinaryData;

typedef struct ProtobufCEnumValue {
	const char *name;
	const char *c_name;
	int value;
} ProtobufCEnumValue;

typedef struct ProtobufCEnumDescriptor {
	uint32_t magic;
	const char *name;
	const char *short_name;
	const char *c_name;
	const char *package_name;
	unsigned n_values;
	const ProtobufCEnumValue *values;   /* sorted by value */
	...;
} ProtobufCEnumDescriptor;

typedef struct ProtobufCFieldDescriptor {
	const char *name;
	uint32_t id;
	ProtobufCLabel label;
	ProtobufCType type;
	unsigned quantifier_offset;
	unsigned offset;
	const void *descriptor;     /* ProtobufCMessageDescriptor or ProtobufCEnumDescriptor */
	const void *default_value;  /* points at a value of the field's C type; NULL if none */
	uint32_t flags;
	...;
} ProtobufCFieldDescriptor;

typedef struct ProtobufCMessageDescriptor {
	uint32_t magic;
	const char *name;
	const char *short_name;
	const char *c_name;
	const char *package_name;
	size_t sizeof_message;
	unsigned n_fields;
	const ProtobufCFieldDescriptor *fields;  /* sorted by id */
	...;
} ProtobufCMessageDescriptor;

typedef struct ProtobufCMessage {
	const ProtobufCMessageDescriptor *descriptor;
	...;
} ProtobufCMessage;

const char *protobuf_c_version(void);
