#include "vision/h264_codec.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
}

namespace troupe::vision {

namespace {

struct context_free {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct frame_free {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct packet_free {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct parser_free {
  void operator()(AVCodecParserContext* p) const { av_parser_close(p); }
};
using context_ptr = std::unique_ptr<AVCodecContext, context_free>;
using frame_ptr = std::unique_ptr<AVFrame, frame_free>;
using packet_ptr = std::unique_ptr<AVPacket, packet_free>;

std::string av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

void check(int code, const char* what) {
  if (code < 0)
    throw std::runtime_error(std::string("h264: ") + what + ": " + av_error(code));
}

context_ptr open_encoder(int width, int height, int frames, const h264_settings& s) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec)
    throw std::runtime_error("h264: libavcodec has no libx264 encoder");
  context_ptr c(avcodec_alloc_context3(codec));
  c->width = width;
  c->height = height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = {1, s.fps};
  c->framerate = {s.fps, 1};
  c->gop_size = frames;  // one IDR per segment: each decodes alone
  c->keyint_min = frames;
  c->max_b_frames = s.bframes;
  c->thread_count = s.threads;
  av_opt_set(c->priv_data, "preset", s.preset.c_str(), 0);
  av_opt_set_int(c->priv_data, "qp", s.qp, 0);
  av_opt_set(c->priv_data, "x264-params", "log=-1", 0);  // x264 prints its stats per stream
  check(avcodec_open2(c.get(), codec, nullptr), "opening libx264");
  return c;
}

// Moves every packet the encoder has ready to `out`.
void drain(AVCodecContext* c, AVPacket* p, std::string& out) {
  while (true) {
    int r = avcodec_receive_packet(c, p);
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
      return;
    check(r, "encoding");
    out.append(reinterpret_cast<const char*>(p->data), static_cast<size_t>(p->size));
    av_packet_unref(p);
  }
}

void bgr_into(const cv::Mat& bgr, AVFrame* f) {
  cv::Mat i420;
  cv::cvtColor(bgr, i420, cv::COLOR_BGR2YUV_I420);  // Y, then U, then V, each plane packed
  const uint8_t* at = i420.data;
  int widths[3] = {f->width, f->width / 2, f->width / 2}, heights[3] = {f->height, f->height / 2, f->height / 2};
  for (int plane = 0; plane < 3; ++plane)
    for (int row = 0; row < heights[plane]; ++row, at += widths[plane])
      std::memcpy(f->data[plane] + row * f->linesize[plane], at, static_cast<size_t>(widths[plane]));
}

cv::Mat bgr_from(const AVFrame* f) {
  if (f->format != AV_PIX_FMT_YUV420P && f->format != AV_PIX_FMT_YUVJ420P)
    throw std::runtime_error("h264: decoded a frame that is not 4:2:0");
  cv::Mat i420(f->height * 3 / 2, f->width, CV_8UC1);
  uint8_t* at = i420.data;
  int widths[3] = {f->width, f->width / 2, f->width / 2}, heights[3] = {f->height, f->height / 2, f->height / 2};
  for (int plane = 0; plane < 3; ++plane)
    for (int row = 0; row < heights[plane]; ++row, at += widths[plane])
      std::memcpy(at, f->data[plane] + row * f->linesize[plane], static_cast<size_t>(widths[plane]));
  cv::Mat bgr;
  cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
  return bgr;
}

void receive_frames(AVCodecContext* c, AVFrame* f, std::vector<cv::Mat>& out) {
  while (true) {
    int r = avcodec_receive_frame(c, f);
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
      return;
    check(r, "decoding");
    out.push_back(bgr_from(f));
    av_frame_unref(f);
  }
}

}  // namespace

bool libx264_available() { return avcodec_find_encoder_by_name("libx264") != nullptr; }

h264_segment encode_h264(const std::vector<cv::Mat>& frames, const h264_settings& s) {
  if (frames.empty())
    throw std::invalid_argument("h264: a segment needs a frame");
  if (s.qp < 0 || s.qp > 51 || s.fps < 1 || s.bframes < 0 || s.threads < 1)
    throw std::invalid_argument("h264: QP " + std::to_string(s.qp) + ", fps " + std::to_string(s.fps) +
                                ", B-frames " + std::to_string(s.bframes) + ", threads " + std::to_string(s.threads) +
                                ": out of range");
  int w = frames[0].cols, h = frames[0].rows;
  if (w % 2 || h % 2 || w < 2 || h < 2)
    throw std::invalid_argument("h264: " + std::to_string(w) + "x" + std::to_string(h) + " needs even sides");
  for (auto& f : frames)
    if (f.cols != w || f.rows != h || f.type() != CV_8UC3)
      throw std::invalid_argument("h264: a segment's frames must all be " + std::to_string(w) + "x" +
                                  std::to_string(h) + " BGR");

  auto c = open_encoder(w, h, static_cast<int>(frames.size()), s);
  frame_ptr f(av_frame_alloc());
  f->format = c->pix_fmt;
  f->width = w;
  f->height = h;
  check(av_frame_get_buffer(f.get(), 0), "allocating a frame");
  packet_ptr p(av_packet_alloc());
  h264_segment out;
  for (auto& bgr : frames) {
    check(av_frame_make_writable(f.get()), "reusing a frame");
    bgr_into(bgr, f.get());
    f->pts = out.frames++;
    check(avcodec_send_frame(c.get(), f.get()), "encoding");
    drain(c.get(), p.get(), out.bytes);
  }
  check(avcodec_send_frame(c.get(), nullptr), "flushing");
  drain(c.get(), p.get(), out.bytes);
  return out;
}

std::vector<cv::Mat> decode_h264(const std::string& bytes) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  if (!codec)
    throw std::runtime_error("h264: libavcodec has no H.264 decoder");
  context_ptr c(avcodec_alloc_context3(codec));
  c->thread_count = 1;
  check(avcodec_open2(c.get(), codec, nullptr), "opening the decoder");
  std::unique_ptr<AVCodecParserContext, parser_free> parser(av_parser_init(AV_CODEC_ID_H264));
  frame_ptr f(av_frame_alloc());
  packet_ptr p(av_packet_alloc());
  std::vector<cv::Mat> out;
  // The parser cuts the Annex B stream into packets; the padding it may read past the end is zeros.
  std::string padded = bytes + std::string(AV_INPUT_BUFFER_PADDING_SIZE, '\0');
  auto* data = reinterpret_cast<const uint8_t*>(padded.data());
  int left = static_cast<int>(bytes.size());
  while (true) {  // a call given no bytes flushes the parser's last packet
    int given = left;
    int used = av_parser_parse2(parser.get(), c.get(), &p->data, &p->size, data, given, AV_NOPTS_VALUE,
                                AV_NOPTS_VALUE, 0);
    check(used, "parsing");
    data += used;
    left -= used;
    if (p->size > 0) {
      check(avcodec_send_packet(c.get(), p.get()), "decoding");
      receive_frames(c.get(), f.get(), out);
    } else if (given == 0) {
      break;
    } else if (used == 0) {
      throw std::runtime_error("h264: the parser stopped with " + std::to_string(left) + " bytes left");
    }
  }
  check(avcodec_send_packet(c.get(), nullptr), "flushing");
  receive_frames(c.get(), f.get(), out);
  if (out.empty())
    throw std::runtime_error("h264: " + std::to_string(bytes.size()) + " bytes held no frame");
  return out;
}

}  // namespace troupe::vision
